package io.dermsynth.udf;

import io.dermsynth.core.BadInputException;
import ai.djl.Device;
import io.dermsynth.core.classify.ClassifierModel;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A classifier folder (manifest + weights) read from any Hadoop file system, on driver or executor. */
public final class ClassifierFiles {

  private ClassifierFiles() {}

  public static ClassifierModel load(Configuration hadoop, String dir, Device device) throws IOException {
    Path folder = new Path(dir);
    FileSystem fs = folder.getFileSystem(hadoop);
    Path manifest = new Path(folder, ClassifierModel.MANIFEST);
    if (!fs.exists(manifest)) {
      throw new BadInputException(manifest + " does not exist: " + dir + " is not a complete classifier folder");
    }
    try (InputStream m = fs.open(manifest);
        InputStream w = fs.open(new Path(folder, ClassifierModel.WEIGHTS))) {
      return ClassifierModel.load(m, w, device);
    }
  }
}
