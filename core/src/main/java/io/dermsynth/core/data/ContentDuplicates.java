package io.dermsynth.core.data;

import io.dermsynth.core.data.LesionSplitter.Split;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The same picture under two image ids — one dataset exported twice, HAM10000 images inside ISIC 2019 —
 * must not sit in train and test. Copies are found by content: exactly (SHA-256 of the file's bytes, or
 * of its decoded pixels) and, when a Hamming radius is set, nearly ({@link PerceptualHash}). Images
 * already stored come first, then new ones by image id; "the first" of a set of copies is the first in
 * that order.
 *
 * <p>{@link Policy#GROUP} keeps every copy and merges their lesions into one split group (with all the
 * other images of those lesions), so the splitter places them together; a group that would join stored
 * images of two different splits cannot be placed, and its new images are quarantined.
 * {@link Policy#QUARANTINE} keeps the first copy and quarantines the rest.
 */
public final class ContentDuplicates {

  /** What to do with a copy. */
  public enum Policy {
    GROUP, QUARANTINE;

    public static Policy parse(String s) {
      return io.dermsynth.core.Choices.parse(Policy.class, s, "duplicates policy");
    }
  }

  /**
   * One image's content keys.
   *
   * @param split its stored split, or null for a new image
   * @param pixelSha256 null where unknown (rows stored before pixel hashes were kept)
   * @param phash null where unknown
   */
  public record Image(String imageId, String lesionId, Split split, String sourceSha256, String pixelSha256,
      Long phash) {
    public Image {
      Objects.requireNonNull(imageId);
      Objects.requireNonNull(lesionId);
    }

    boolean stored() {
      return split != null;
    }
  }

  /**
   * What became of one new image.
   *
   * @param splitGroup the lesion id to place it by (its own lesion, or the group's first lesion)
   * @param duplicateOf the first copy of the same content, or null when it has none
   * @param near whether it is a copy only by perceptual hash
   * @param quarantine why it is not kept, or null when it is
   */
  public record Decision(String imageId, String splitGroup, String duplicateOf, boolean near, String quarantine) {}

  private final Policy policy;
  private final int radius;

  /** No near copies: exact copies only. */
  public static final int OFF = -1;

  /** @param radius largest Hamming distance of near copies, or {@link #OFF} for exact copies only */
  public ContentDuplicates(Policy policy, int radius) {
    if (radius < -1 || radius > 16) {
      throw new IllegalArgumentException("near-duplicate radius must be -1 (off) or 0..16 bits, got " + radius);
    }
    this.policy = Objects.requireNonNull(policy);
    this.radius = radius;
  }

  /** A decision for every image of {@code fresh}, by image id. */
  public Map<String, Decision> decide(List<Image> stored, List<Image> fresh) {
    List<Image> all = new ArrayList<>(stored.size() + fresh.size());
    stored.stream().sorted(Comparator.comparing(Image::imageId)).forEach(all::add);
    int firstFresh = all.size();
    fresh.stream().sorted(Comparator.comparing(Image::imageId)).forEach(all::add);

    UnionFind content = new UnionFind(all.size());
    UnionFind exact = new UnionFind(all.size());
    Map<String, Integer> bySource = new HashMap<>();
    Map<String, Integer> byPixels = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Image im = all.get(i);
      unionSame(bySource, im.sourceSha256(), i, content, exact);
      unionSame(byPixels, im.pixelSha256(), i, content, exact);
    }
    if (radius >= 0) {
      unionNear(all, firstFresh, content);
    }
    // Split groups: content copies plus every other image of their lesions.
    UnionFind groups = content.copy();
    Map<String, Integer> byLesion = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      Integer j = byLesion.putIfAbsent(all.get(i).lesionId(), i);
      if (j != null) {
        groups.union(i, j);
      }
    }
    Map<Integer, TreeMap<Split, String>> storedSplits = new HashMap<>();
    Map<Integer, Integer> firstOfGroup = new HashMap<>();
    for (int i = 0; i < all.size(); i++) {
      int g = groups.find(i);
      firstOfGroup.putIfAbsent(g, i);
      Image im = all.get(i);
      if (im.stored()) {
        storedSplits.computeIfAbsent(g, k -> new TreeMap<>()).putIfAbsent(im.split(), im.imageId());
      }
    }

    Map<String, Decision> out = new LinkedHashMap<>();
    for (int i = firstFresh; i < all.size(); i++) {
      Image im = all.get(i);
      int first = content.find(i);
      String dupOf = first == i ? null : all.get(first).imageId();
      boolean near = dupOf != null && exact.find(i) == i;
      String quarantine = null;
      String group = im.lesionId();
      if (policy == Policy.QUARANTINE) {
        if (dupOf != null) {
          quarantine = (near ? "a near copy (perceptual hash within " + radius + " bits) of " : "a copy of ")
              + dupOf + (all.get(first).stored() ? ", already stored" : "") + "; ingest.duplicates = quarantine "
              + "keeps the first";
        }
      } else {
        int g = groups.find(i);
        TreeMap<Split, String> splits = storedSplits.getOrDefault(g, new TreeMap<>());
        if (splits.size() > 1) {
          StringBuilder s = new StringBuilder();
          splits.forEach((split, id) -> s.append(s.isEmpty() ? "" : ", ").append(id).append(" in ").append(split.label()));
          quarantine = "its lesion group holds copies of images already stored in different splits (" + s
              + "), so no split keeps the copies together";
        } else {
          group = all.get(firstOfGroup.get(g)).lesionId();
        }
      }
      out.put(im.imageId(), new Decision(im.imageId(), group, dupOf, near, quarantine));
    }
    return out;
  }

  private static void unionSame(Map<String, Integer> firstByKey, String key, int i, UnionFind... sets) {
    if (key != null) {
      Integer j = firstByKey.putIfAbsent(key, i);
      if (j != null) {
        for (UnionFind u : sets) {
          u.union(i, j);
        }
      }
    }
  }

  /**
   * Near copies by pigeonhole: two 64-bit hashes within r bits agree exactly on at least one of r + 1
   * disjoint bit blocks, so only images sharing a block value are compared — and only pairs with a new
   * image, since stored images were compared when they were new.
   */
  private void unionNear(List<Image> all, int firstFresh, UnionFind content) {
    int blocks = radius + 1;
    List<Map<Long, List<Integer>>> index = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      index.add(new HashMap<>());
    }
    for (int i = 0; i < all.size(); i++) {
      Long h = all.get(i).phash();
      if (h == null) {
        continue;
      }
      for (int b = 0; b < blocks; b++) {
        List<Integer> bucket = index.get(b).computeIfAbsent(block(h, b, blocks), k -> new ArrayList<>());
        if (i >= firstFresh) {
          for (int j : bucket) {
            if (content.find(i) != content.find(j) && PerceptualHash.distance(h, all.get(j).phash()) <= radius) {
              content.union(i, j);
            }
          }
        }
        bucket.add(i);
      }
    }
  }

  private static long block(long h, int b, int blocks) {
    int lo = 64 * b / blocks;
    int hi = 64 * (b + 1) / blocks;
    long mask = hi - lo == 64 ? -1L : (1L << (hi - lo)) - 1;
    return (h >>> lo) & mask;
  }

  /** Union-find whose representative is the smallest index of a set (the first image in order). */
  private static final class UnionFind {
    private final int[] parent;

    UnionFind(int n) {
      parent = new int[n];
      for (int i = 0; i < n; i++) {
        parent[i] = i;
      }
    }

    private UnionFind(int[] parent) {
      this.parent = parent;
    }

    UnionFind copy() {
      return new UnionFind(parent.clone());
    }

    /** The set's root, which is its smallest index: unions keep the smaller root. */
    int find(int i) {
      while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    }

    void union(int a, int b) {
      int ra = find(a);
      int rb = find(b);
      if (ra != rb) {
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }
  }
}
