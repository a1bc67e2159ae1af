package checklist_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive/golive/internal/checklist"
)

// FuzzParse feeds the importer arbitrary documents: it must never panic or
// hang, must fail only with its documented errors, and must hand back a
// checklist that scores, reports and serialises. Its corpus is both seeds
// and the small cases in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"seed000.md", "seed004.md"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, rep, err := checklist.Parse(src)
		if err != nil {
			if c != nil {
				t.Fatalf("a checklist with an error: %v", err)
			}
			for _, known := range []error{checklist.ErrEmpty, checklist.ErrBinary, checklist.ErrTooLarge, checklist.ErrNoItems} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("undocumented error: %v", err)
		}
		items := c.Items()
		if len(items) == 0 {
			t.Fatal("a checklist without items")
		}
		for i, it := range items {
			if it.Number != i+1 {
				t.Fatalf("item %d numbered %d", i+1, it.Number)
			}
			if it.Parent >= it.Number || it.Parent < 0 {
				t.Fatalf("item %d has parent %d", it.Number, it.Parent)
			}
			if it.Task && it.Done {
				t.Fatalf("task %d starts done", it.Number)
			}
		}
		for _, g := range c.Gates {
			if g.Unresolved || g.Target.Section < 0 {
				continue
			}
			if g.Target.Section >= len(c.Sections) || g.Target.Group >= len(c.Sections[g.Target.Section].Groups) {
				t.Fatalf("gate %q targets %+v out of range", g.Name, g.Target)
			}
		}
		for _, w := range c.Windows {
			for _, n := range w.Items {
				if c.Item(n) == nil {
					t.Fatalf("window %q names missing item %d", w.Name, n)
				}
			}
		}
		r := checklist.Score(c)
		if r.Decision.Outcome == "" {
			t.Fatal("no decision")
		}
		if _, err := json.Marshal(r.JSON()); err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		_ = rep.String()
	})
}
