package io.dermsynth.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this code, for checkpoint manifests: from the build's git.properties. */
public final class CodeVersion {

  private CodeVersion() {}

  /** "0.1.0-SNAPSHOT 16e84ff" (+ " dirty" for uncommitted changes). */
  public static String get() {
    Properties p = new Properties();
    try (InputStream in = CodeVersion.class.getResourceAsStream("/io/dermsynth/core/git.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // Informative only.
    }
    return p.getProperty("git.build.version", "unknown") + " " + p.getProperty("git.commit.id.abbrev", "no-git")
        + ("true".equals(p.getProperty("git.dirty")) ? " dirty" : "");
  }
}
