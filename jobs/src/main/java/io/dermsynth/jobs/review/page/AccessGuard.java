package io.dermsynth.jobs.review.page;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.SameSite;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The page's lock. Every request needs the access token — from the {@code token} query parameter on the
 * first visit (answered with an HttpOnly, SameSite=Strict cookie and a redirect that drops the token
 * from the address bar), then the cookie, or an {@code Authorization: Bearer} header for scripts. Every
 * POST also needs the CSRF token the page's forms carry.
 */
public final class AccessGuard {

  static final String COOKIE = "dermsynth_review";
  static final String CSRF_FIELD = "csrf";

  private final String token;
  private final String csrf;

  /** @param token the configured token, or null for a random one */
  AccessGuard(String token) {
    this.token = token != null ? token : random();
    this.csrf = random();
  }

  String token() {
    return token;
  }

  String csrf() {
    return csrf;
  }

  /** Javalin before-handler: lets the request through or ends it with 401/403. */
  void check(Context ctx) {
    String fromQuery = ctx.queryParam("token");
    if (fromQuery != null && same(fromQuery, token)) {
      ctx.cookie(new Cookie(COOKIE, token, "/", -1, false, 0, true, null, null, SameSite.STRICT));
      ctx.redirect(ctx.path());
      ctx.skipRemainingHandlers();
      return;
    }
    String auth = ctx.header("Authorization");
    String presented = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : ctx.cookie(COOKIE);
    if (presented == null || !same(presented, token)) {
      throw new UnauthorizedResponse("access token required: open the address `dermsynth review` printed "
          + "(it ends in ?token=…)");
    }
    if (ctx.method() == HandlerType.POST) {
      String posted = ctx.formParam(CSRF_FIELD);
      if (posted == null || !same(posted, csrf)) {
        throw new ForbiddenResponse("missing or wrong CSRF token: reload the page and submit its form again");
      }
    }
  }

  /** Constant-time comparison: the time taken says nothing about how much of a guess was right. */
  private static boolean same(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static String random() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
