// Package export writes a launch's full state for people and pipelines: JSON
// (the shape of `golive check --json` plus the launch, every item and every
// role), CSV (one row per item) and Markdown (a checklist that imports back
// to the same structure and done states). It is pure: no store, no clock.
package export

import (
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// timestamp formats an instant as RFC 3339 in UTC, "" for the zero time.
func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// itemPlace is where an item sits: its section and group titles.
type itemPlace struct {
	section *checklist.Section
	group   *checklist.Group
	item    *checklist.Item
}

// places lists every item of the launch with its section and group, in
// document order.
func places(l *launch.Launch) []itemPlace {
	var out []itemPlace
	for _, s := range l.Checklist.Sections {
		for _, g := range s.Groups {
			for _, it := range g.Items {
				out = append(out, itemPlace{section: s, group: g, item: it})
			}
		}
	}
	return out
}
