package io.dermsynth.core;

import java.io.IOException;

/**
 * An input the user gave is wrong — a dataset folder that is missing or of no known layout, a model folder
 * of another kind or incomplete, weights of the wrong names or shapes — so running the same command
 * again cannot help (exit code 2). Other {@link IOException}s are storage or network failures, which may
 * pass (exit code 1: a scheduler may retry).
 */
public class BadInputException extends IOException {
  public BadInputException(String message) {
    super(message);
  }
}
