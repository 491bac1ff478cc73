// The loop every Node adapter shares: read each file named on the command line,
// parse it with the adapter's `read`, print one JSON line per file:
// {"path", "title", "entries": [{"id", "title", "link"}]} or {"path", "error"}.
import { readFileSync } from "node:fs";

const text = (value) => (value == null ? null : String(value));

export async function run(read) {
  for (const path of process.argv.slice(2)) {
    let line;
    try {
      const feed = await read(readFileSync(path, "utf8"), path);
      line = {
        path,
        title: text(feed.title),
        entries: feed.entries.map((e) => ({
          id: text(e.id),
          title: text(e.title),
          link: text(e.link),
        })),
      };
    } catch (error) {
      line = { path, error: String(error && error.stack ? error.stack : error) };
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  }
}
