package io.dermsynth.jobs.export;

import com.google.gson.JsonObject;
import org.apache.spark.sql.Row;

/**
 * One exported image: its PNG, its label and where it came from (a synthetic image's source image,
 * direction, alpha and model versions).
 */
record Sample(String key, String dx, String lesionId, byte[] png, boolean synthetic, String sourceImageId,
    String directionId, Double alpha, String alphaUnit, String render, String generatorVersion,
    String inverterVersion) {

  static Sample of(Row r) {
    return new Sample(r.getAs("key"), r.getAs("dx"), r.getAs("lesion_id"), r.getAs("png"), r.getAs("synthetic"),
        r.getAs("source_image_id"), r.getAs("direction_id"), r.getAs("alpha"), r.getAs("alpha_unit"),
        r.getAs("render"), r.getAs("generator_version"), r.getAs("inverter_version"));
  }

  /** The label and lineage, as each image's json (null fields left out). */
  JsonObject json() {
    JsonObject o = new JsonObject();
    o.addProperty("key", key);
    o.addProperty("label", dx);
    o.addProperty("lesion_id", lesionId);
    o.addProperty("synthetic", synthetic);
    if (synthetic) {
      o.addProperty("source_image_id", sourceImageId);
      o.addProperty("direction_id", directionId);
      o.addProperty("alpha", alpha);
      o.addProperty("alpha_unit", alphaUnit);
      o.addProperty("render", render);
      o.addProperty("generator_version", generatorVersion);
      o.addProperty("inverter_version", inverterVersion);
    }
    return o;
  }
}
