// rss-parser (Atom and RSS): the parser of many Node feed readers and bots.
import Parser from "rss-parser";
import { run } from "./batch.mjs";

const parser = new Parser();

await run(async (xml) => {
  const feed = await parser.parseString(xml);
  return {
    title: feed.title,
    entries: feed.items.map((item) => ({
      id: item.guid ?? item.id,
      title: item.title,
      link: item.link,
    })),
  };
});
