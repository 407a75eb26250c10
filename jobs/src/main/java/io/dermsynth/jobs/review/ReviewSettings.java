package io.dermsynth.jobs.review;

import io.dermsynth.jobs.augment.AugmentSettings;
import com.typesafe.config.Config;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.jobs.settings.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The review page's settings ({@code review.*}, with the command line's overrides), checked before
 * anything starts.
 *
 * @param token the access token; null = a random one
 * @param alphas the strip's steps, ascending, in augment.alpha_unit units
 * @param alphaUnit w_std (alphas in standard deviations of W along the direction) or raw
 * @param lpipsThreshold the auto-flag threshold, augment's lpips_threshold
 * @param render how the strips render edits: augment's render, so a reviewer sees what augment will write
 */
public record ReviewSettings(String host, int port, String token, String reviewer, int samples, List<Double> alphas,
    String alphaUnit, double lpipsThreshold, int batchSize, EditRenderer.Render render) {

  /** Tokens shorter than this are refused: the token is the page's only lock. */
  static final int MIN_TOKEN_LENGTH = 16;

  public ReviewSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("review.port = " + port + "; allowed: 0 (any free port) to 65535");
    }
    if (token != null && token.length() < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException("review.token is " + token.length() + " characters; use at least "
          + MIN_TOKEN_LENGTH + ", or leave it empty for a random one");
    }
    if (samples < 1 || samples > 32) {
      throw new IllegalArgumentException("review.samples = " + samples + "; allowed: 1 to 32");
    }
    if (alphas.isEmpty() || alphas.size() > 15) {
      throw new IllegalArgumentException("review.alphas has " + alphas.size() + " steps; allowed: 1 to 15");
    }
    for (int i = 1; i < alphas.size(); i++) {
      if (!(alphas.get(i) > alphas.get(i - 1))) {
        throw new IllegalArgumentException("review.alphas must be strictly ascending: " + alphas);
      }
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("review.batch_size = " + batchSize + "; must be at least 1");
    }
    alphas = List.copyOf(alphas);
  }

  /**
   * From the config; {@code host}/{@code port} override review.host/port when not null. A host that is
   * not a loopback address needs {@code allowRemote}: the page would be reachable from other machines.
   */
  public static ReviewSettings of(Settings settings, String host, Integer port, boolean allowRemote) {
    Config c = settings.config().getConfig("review");
    // The page shows edits as augment will make them.
    AugmentSettings augment = AugmentSettings.of(settings);
    String h = host != null ? host : c.getString("host");
    if (!allowRemote && !isLoopback(h)) {
      throw new IllegalArgumentException("review.host = '" + h + "' is not a loopback address: the review page "
          + "would be reachable from other machines. Pass --allow-remote to mean it, or bind 127.0.0.1 and use an "
          + "SSH tunnel");
    }
    String reviewer = defaultReviewer(settings);
    return new ReviewSettings(h, port != null ? port : c.getInt("port"),
        c.getString("token").isEmpty() ? null : c.getString("token"), reviewer, c.getInt("samples"),
        c.getDoubleList("alphas"), augment.alphaUnit(), augment.lpipsThreshold(), c.getInt("batch_size"),
        augment.render());
  }

  /** review.reviewer, else the user's name. */
  public static String defaultReviewer(Settings settings) {
    String r = settings.config().getString("review.reviewer");
    return r.isBlank() ? System.getProperty("user.name", "") : r;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("review.host = '" + host + "' does not resolve: " + e.getMessage());
    }
  }
}
