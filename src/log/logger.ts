/** What library code may say. Actions back it with @actions/core, the CLI with the console. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group of log lines. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, fn) => fn(),
};

export function consoleLogger(options: { verbose?: boolean } = {}): Logger {
  return {
    info: (m) => console.log(m),
    warning: (m) => console.warn(`warning: ${m}`),
    debug: (m) => {
      if (options.verbose) console.log(`debug: ${m}`);
    },
    group: async (title, fn) => {
      console.log(`── ${title}`);
      return fn();
    },
  };
}
