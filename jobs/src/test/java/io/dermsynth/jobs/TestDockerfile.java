package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker/Dockerfile read as Docker reads it (instructions after joining continuation lines): the jar
 * is built inside from source with a profile the pom defines, the runtime copies only from the build stage,
 * Spark is checked (SHA-512 and signature) before it is unpacked, and the non-root user owns its working
 * directory. No Docker daemon here: `docker build` itself is not run (docs/OPERATIONS.md).
 */
class TestDockerfile {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** An instruction: its keyword, its arguments, and the stage (0, 1, ...) it belongs to (−1: before any FROM). */
  record Instruction(String keyword, String args, int stage) {}

  static List<Instruction> instructions() throws Exception {
    String text = Files.readString(ROOT.resolve("deploy/docker/Dockerfile")).replaceAll("\\\\\\n", " ");
    List<Instruction> out = new ArrayList<>();
    int stage = -1;
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] kw = l.split("\\s+", 2);
      if (kw[0].equals("FROM")) {
        stage++;
      }
      out.add(new Instruction(kw[0], kw.length > 1 ? kw[1] : "", stage));
    }
    return out;
  }

  static List<String> args(List<Instruction> all, String keyword, int stage) {
    return all.stream().filter(i -> i.keyword().equals(keyword) && i.stage() == stage).map(Instruction::args).toList();
  }

  @Test
  void theJarIsBuiltInsideWithAProfileThePomDefines() throws Exception {
    List<Instruction> all = instructions();
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();
    assertEquals(2, froms.size(), "a build stage and a runtime stage");
    assertTrue(froms.get(0).args().matches("maven:\\S*17\\S* AS build"), froms.get(0).args());
    // The profile: an ARG before the first FROM (so both stages may name it) whose default the pom defines.
    Matcher profile = Pattern.compile("MAVEN_PROFILE=(\\w+)").matcher(String.join("\n", args(all, "ARG", -1)));
    assertTrue(profile.find(), "ARG MAVEN_PROFILE before the first FROM");
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertTrue(pom.contains("<id>" + profile.group(1) + "</id>"), "pom.xml has no profile " + profile.group(1));
    assertTrue(pom.contains("<id>cpu</id>") && pom.contains("<id>gpu</id>"));
    String build = String.join("\n", args(all, "RUN", 0));
    assertTrue(build.matches("(?s).*mvn -B -C -P\"\\$\\{MAVEN_PROFILE}\" -DskipTests -pl jobs -am package.*"), build);
    // What `-pl jobs -am` reads is copied in: the modules' sources, the parent's module list, and
    // ../conf, which jobs/pom.xml packs into the jar.
    List<String> copied = args(all, "COPY", 0);
    for (String module : List.of("core", "udf", "jobs", "conf")) {
      assertTrue(copied.contains(module + " " + module), module + " not copied: " + copied);
      assertTrue(Files.isDirectory(ROOT.resolve(module)), module);
    }
    assertTrue(Files.readString(ROOT.resolve("jobs/pom.xml")).contains("${project.basedir}/../conf"));
    // The runtime takes the jar from the build stage, never from the host's target/.
    List<String> runtimeCopies = args(all, "COPY", 1);
    assertTrue(runtimeCopies.stream().anyMatch(c -> c.matches("--from=build \\S+app\\.jar /opt/dermsynth/\\S+")),
        runtimeCopies.toString());
    all.stream().filter(i -> i.keyword().equals("COPY")).forEach(i ->
        assertFalse(i.args().contains("target/"), "a host build output: " + i.args()));
    assertTrue(Files.readString(ROOT.resolve(".dockerignore")).contains("**/target"));
    // Every host path the runtime copies exists.
    for (String c : runtimeCopies) {
      if (!c.startsWith("--from")) {
        assertTrue(Files.exists(ROOT.resolve(c.split("\\s+")[0])), c);
      }
    }
  }

  @Test
  void sparkIsVerifiedBeforeItIsUnpacked() throws Exception {
    String spark = args(instructions(), "RUN", 1).stream().filter(r -> r.contains("spark-${SPARK_VERSION}"))
        .findFirst().orElseThrow();
    int sha = spark.indexOf("sha512sum -c");
    int gpg = spark.indexOf("gpg --batch --verify");
    int untar = spark.indexOf("tar -xzf");
    assertTrue(sha > 0 && gpg > 0 && untar > sha && untar > gpg, spark);
    assertTrue(spark.contains("set -eu"), "a failed check must stop the build: " + spark);
    assertTrue(spark.contains(".sha512") && spark.contains(".asc") && spark.contains("KEYS"), spark);
    assertFalse(spark.contains("| tar"), "nothing is unpacked straight from the network");
  }

  @Test
  void theNonRootUserOwnsItsWorkingDirectory() throws Exception {
    List<Instruction> all = instructions();
    Instruction last = all.get(all.size() - 1);
    assertEquals("ENTRYPOINT", last.keyword());
    assertEquals(List.of("185"), args(all, "USER", 1));
    List<String> workdirs = args(all, "WORKDIR", 1);
    String workdir = workdirs.get(workdirs.size() - 1);
    assertTrue(String.join("\n", args(all, "RUN", 1)).contains("install -d -o 185 -g 185 " + workdir),
        "uid 185 must own " + workdir);
    // The USER switch comes after every RUN (a RUN after it could not write system paths).
    int user = all.indexOf(all.stream().filter(i -> i.keyword().equals("USER")).findFirst().orElseThrow());
    assertTrue(all.subList(user, all.size()).stream().noneMatch(i -> i.keyword().equals("RUN")));
  }
}
