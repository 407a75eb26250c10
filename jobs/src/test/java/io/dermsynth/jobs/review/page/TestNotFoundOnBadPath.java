package io.dermsynth.jobs.review.page;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Paths Jetty refuses before routing are 404s on the review page's connector; others are untouched. */
class TestNotFoundOnBadPath {

  @Test
  void pathsAboveTheRootAndAmbiguousEncodingsAre404() throws Exception {
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jetty.addConnector((server, http) -> {
        ServerConnector c = new ServerConnector(server, new NotFoundOnBadPath(http));
        c.setHost("127.0.0.1");
        c.setPort(0);
        return c;
      });
    });
    app.get("/img/{a}", c -> c.result("img " + c.pathParam("a")));
    app.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      for (var e : java.util.Map.of("/img/x", 200, "/img/../../etc/passwd", 404, "/../etc/passwd", 404,
          "/img/..%2F..%2Fetc%2Fpasswd", 404, "/img/%2e%2e/%2e%2e/etc/passwd", 404, "/etc/passwd", 404).entrySet()) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
            + e.getKey())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(e.getValue(), r.statusCode(), e.getKey() + " → " + r.body());
      }
      // A malformed request line that is not about the path keeps Jetty's 400.
      try (var s = new java.net.Socket("127.0.0.1", app.port())) {
        s.getOutputStream().write("GET /img/x HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n".getBytes());
        String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream())).readLine();
        assertEquals("HTTP/1.1 400", status.substring(0, 12), status);
      }
    } finally {
      app.stop();
    }
  }
}
