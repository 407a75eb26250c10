package io.dermsynth.jobs.review.page;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannelOverHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;

/**
 * Jetty's HTTP/1.1 connections, except that a request whose path Jetty refuses before any handler runs —
 * dot segments that climb above the root ({@code /img/../../etc/passwd}: "Bad URI"), encoded separators
 * or dot segments ("Ambiguous URI …") — is answered 404, as any other path that names nothing here. Jetty
 * would answer 400; either way the request never reaches the page's routes.
 */
public final class NotFoundOnBadPath extends HttpConnectionFactory {

  NotFoundOnBadPath(HttpConfiguration config) {
    super(config);
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint,
        isRecordHttpComplianceViolations()) {
      @Override
      protected HttpChannelOverHttp newHttpChannel() {
        return new HttpChannelOverHttp(this, getConnector(), getHttpConfiguration(), getEndPoint(), this) {
          @Override
          public void onBadMessage(BadMessageException failure) {
            super.onBadMessage(isPathRefusal(failure) ? new BadMessageException(404, "Not Found") : failure);
          }
        };
      }
    };
    connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
    connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
    return configure(connection, connector, endPoint);
  }

  /** Jetty says "Bad URI" in the reason or, when its URI parser threw, in the cause. */
  static boolean isPathRefusal(BadMessageException e) {
    return e.getCode() == 400 && (aboutThePath(e.getReason())
        || e.getCause() != null && aboutThePath(e.getCause().getMessage()));
  }

  private static boolean aboutThePath(String message) {
    return message != null && (message.equals("Bad URI") || message.startsWith("Ambiguous URI"));
  }
}
