// feedsmith (Atom, RSS and JSON Feed): detects the format, then reads it.
import { parseFeed } from "feedsmith";
import { run } from "./batch.mjs";

// Atom text constructs come as {value, type}.
const atomText = (text) => text?.value ?? text;
const atomLink = (links) =>
  (links ?? []).find((l) => (l.rel ?? "alternate") === "alternate")?.href;

await run(async (text) => {
  const { format, feed } = parseFeed(text);
  if (format === "atom") {
    return {
      title: atomText(feed.title),
      entries: (feed.entries ?? []).map((e) => ({
        id: e.id,
        title: atomText(e.title),
        link: atomLink(e.links),
      })),
    };
  }
  if (format === "rss") {
    return {
      title: feed.title,
      entries: (feed.items ?? []).map((i) => ({
        id: i.guid?.value ?? i.guid,
        title: i.title,
        link: i.link,
      })),
    };
  }
  if (format === "json") {
    return {
      title: feed.title,
      entries: (feed.items ?? []).map((i) => ({ id: i.id, title: i.title, link: i.url })),
    };
  }
  throw new Error(`feedsmith read the file as ${format}`);
});
