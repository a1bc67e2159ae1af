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
// checklist that scores, reports and serialises, with and without the
// list-items option. Its corpus is both seeds and the small cases in
// testdata/fuzz/FuzzParse (tree-* for the constructs of the goldmark walk).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"seed000.md", "seed004.md"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fuzzParse(t, src, checklist.ParseOptions{})
		fuzzParse(t, src, checklist.ParseOptions{ListItems: true})
	})
}

func fuzzParse(t *testing.T, src []byte, opt checklist.ParseOptions) {
	{
		c, rep, err := checklist.ParseWith(src, opt)
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
			if it.Depth > 0 && it.Parent == 0 || it.Depth == 0 && it.Parent != 0 {
				t.Fatalf("item %d has depth %d and parent %d", it.Number, it.Depth, it.Parent)
			}
			if it.Text == "" {
				t.Fatalf("item %d has no text", it.Number)
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
		again, _, _ := checklist.ParseWith(src, opt)
		if len(again.Items()) != len(items) {
			t.Fatal("the same document read twice gives another checklist")
		}
	}
}
