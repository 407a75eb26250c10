package io.dermsynth.udf;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A partition's rows in batches for a model: each batch of up to {@code batchSize} rows is handed to
 * {@code score}, which returns, per row, the values to append; rows come out in their input order with
 * those values after their own. With a key column, a batch also ends where the key changes (rows sorted
 * by it make batches that do not depend on their neighbours). Batches are pulled lazily, so a partition
 * is never held whole.
 */
final class BatchedRows implements Iterator<Row> {

  private final Iterator<Row> rows;
  private final int batchSize;
  private final int keyIndex;
  private Row pending;
  private final Function<List<Row>, List<Object[]>> score;
  private final List<Row> ready = new ArrayList<>();
  private int next;

  /** @param keyIndex the key column's index, or −1 for batches of consecutive rows */
  BatchedRows(Iterator<Row> rows, int batchSize, int keyIndex, Function<List<Row>, List<Object[]>> score) {
    this.rows = rows;
    this.batchSize = batchSize;
    this.keyIndex = keyIndex;
    this.score = score;
  }

  @Override
  public boolean hasNext() {
    if (next < ready.size()) {
      return true;
    }
    ready.clear();
    next = 0;
    List<Row> batch = new ArrayList<>(batchSize);
    if (pending != null) {
      batch.add(pending);
      pending = null;
    }
    while (batch.size() < batchSize && rows.hasNext()) {
      Row r = rows.next();
      if (keyIndex >= 0 && !batch.isEmpty()
          && !java.util.Objects.equals(r.get(keyIndex), batch.get(0).get(keyIndex))) {
        pending = r;
        break;
      }
      batch.add(r);
    }
    if (batch.isEmpty()) {
      return false;
    }
    List<Object[]> extra = score.apply(batch);
    for (int i = 0; i < batch.size(); i++) {
      Row r = batch.get(i);
      Object[] add = extra.get(i);
      Object[] values = new Object[r.size() + add.length];
      for (int k = 0; k < r.size(); k++) {
        values[k] = r.get(k);
      }
      System.arraycopy(add, 0, values, r.size(), add.length);
      ready.add(RowFactory.create(values));
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.get(next++);
  }
}
