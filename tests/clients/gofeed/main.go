// gofeed (Atom, RSS and JSON Feed) through its universal parser, which detects
// the format the way Go feed readers call it. Prints one JSON line per file:
// {"path", "title", "entries": [{"id", "title", "link"}]} or {"path", "error"}.
package main

import (
	"encoding/json"
	"os"

	"github.com/mmcdole/gofeed"
)

type entry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Link  string `json:"link"`
}

type result struct {
	Path    string  `json:"path"`
	Title   string  `json:"title,omitempty"`
	Entries []entry `json:"entries,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func read(path string) result {
	file, err := os.Open(path)
	if err != nil {
		return result{Path: path, Error: err.Error()}
	}
	defer file.Close()
	feed, err := gofeed.NewParser().Parse(file)
	if err != nil {
		return result{Path: path, Error: err.Error()}
	}
	entries := make([]entry, 0, len(feed.Items))
	for _, item := range feed.Items {
		entries = append(entries, entry{ID: item.GUID, Title: item.Title, Link: item.Link})
	}
	return result{Path: path, Title: feed.Title, Entries: entries}
}

func main() {
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	for _, path := range os.Args[1:] {
		if err := out.Encode(read(path)); err != nil {
			os.Exit(1)
		}
	}
}
