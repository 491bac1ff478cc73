// @extractus/feed-extractor (Atom, RSS and JSON Feed), with its normalization on.
import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";
import { run } from "./batch.mjs";

await run(async (text, path) => {
  const feed = path.endsWith(".json") ? extractFromJson(text) : extractFromXml(text);
  return { title: feed.title, entries: feed.entries };
});
