package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// snapshot is a launch as table rows. Rows are comparable values, so the
// changes an Update makes are the rows that differ between two snapshots.
type snapshot struct {
	launch   launchRow
	sections []sectionRow
	groups   []groupRow
	items    []itemRow
	roles    []roleRow
	// gates and windows are launch.gates and launch.windows decoded, kept
	// so that a cached launch is not decoded from JSON again; decode copies them.
	gates   []checklist.Gate
	windows []checklist.Window
}

// stored tells whether two snapshots write the same rows (gates and
// windows are encoded in the launch row).
func (s snapshot) stored(o snapshot) bool {
	return s.launch == o.launch && slices.Equal(s.sections, o.sections) && slices.Equal(s.groups, o.groups) &&
		slices.Equal(s.items, o.items) && slices.Equal(s.roles, o.roles)
}

type launchRow struct {
	teamID, channelID    string
	name, date, timezone string
	launchTime           string
	creator, template    string
	createdAt            int64
	datedAt              int64
	archived             bool
	remindersOff         bool
	reviewDate           string
	announcedOutcome     sql.NullString
	announcedAt          sql.NullInt64
	approvalsAsked       sql.NullInt64
	announcedBy          string
	announcedFingerprint string
	title                string
	gates, windows       string // JSON
	removed              string // JSON, "" when no item was removed
	highWater            int
}

type sectionRow struct {
	idx, number int
	title, kind string
	owner       string
	hasSignoff  bool
	signedBy    sql.NullString
	signedAt    sql.NullInt64
	signedOpen  int
}

type groupKey struct{ section, idx int }

type groupRow struct {
	groupKey
	title, owner, priority string
	windowMinutes          sql.NullInt64
}

type itemRow struct {
	number                    int
	sectionIdx, groupIdx, idx int
	parent, depth             int
	subgroup, text            string
	done                      bool
	doneBy                    string
	doneAt                    sql.NullInt64
	owner, note, priority     string
	task                      bool
	line                      int
	details                   string
	notes                     string // JSON, "" when none
	due                       string // YYYY-MM-DD, "" when none
	na                        string // JSON, "" when the item applies
	waiver                    string // JSON, "" when none
	evidence                  string // JSON, "" when none
	freshSeconds              int64  // 0 when any age will do
	probe                     string // the probe's spec, "" when none
}

type roleRow struct {
	position                  int
	name, description, holder string
	verdict, note, by         string
	at                        sql.NullInt64
	version                   int
}

func (r sectionRow) key() int    { return r.idx }
func (r groupRow) key() groupKey { return r.groupKey }
func (r itemRow) key() int       { return r.number }
func (r roleRow) key() int       { return r.position }

// gateJSON and windowJSON fix the stored JSON's field names, so renaming a
// Go field cannot silently orphan stored data.
type gateJSON struct {
	Name       string  `json:"name"`
	Kind       string  `json:"kind"`
	Threshold  float64 `json:"threshold"`
	Strict     bool    `json:"strict"`
	Section    int     `json:"section"`
	Group      int     `json:"group"`
	Priority   string  `json:"priority"`
	Source     string  `json:"source"`
	Unresolved bool    `json:"unresolved,omitempty"`
}

type windowJSON struct {
	Name          string `json:"name"`
	OffsetMinutes int    `json:"offset_minutes"`
	Section       int    `json:"section"`
	Group         int    `json:"group"`
	Items         []int  `json:"items"`
}

// encode turns a launch into rows. Sections, groups, items and roles are
// keyed by their positions in the checklist's slices.
func encode(l *launch.Launch) (snapshot, error) {
	return encodeOver(l, snapshot{}, snapshot{})
}

// encodeOver is encode for a launch encoded after each change of a batch,
// without the garbage: it writes the rows into spare's slices, which
// nothing may hold any more, and reuses prev's gates and windows (JSON
// included) while the launch's are the same.
func encodeOver(l *launch.Launch, spare, prev snapshot) (snapshot, error) {
	c := l.Checklist
	if c == nil {
		return snapshot{}, fmt.Errorf("launch %d has no checklist", l.ID)
	}
	gates, gateRows := prev.launch.gates, prev.gates
	if prev.launch.gates == "" || !slices.Equal(c.Gates, prev.gates) {
		var err error
		if gates, err = encodeGates(c.Gates); err != nil {
			return snapshot{}, err
		}
		gateRows = copyGates(c.Gates)
	}
	windows, windowRows := prev.launch.windows, prev.windows
	if prev.launch.windows == "" || !slices.EqualFunc(c.Windows, prev.windows, sameWindow) {
		var err error
		if windows, err = encodeWindows(c.Windows); err != nil {
			return snapshot{}, err
		}
		windowRows = copyWindows(c.Windows)
	}
	s := snapshot{launch: launchRow{
		teamID: l.TeamID, channelID: l.ChannelID,
		name: l.Name, date: l.Date, timezone: l.Timezone, launchTime: l.Time,
		creator: l.Creator, template: l.Template,
		createdAt:    l.CreatedAt.UnixMilli(),
		datedAt:      l.DatedAt.UnixMilli(),
		archived:     l.Archived,
		remindersOff: l.RemindersOff,
		reviewDate:   l.ReviewDate,
		title:        c.Title,
		gates:        gates,
		windows:      windows,
		highWater:    l.LastItem,
	}, gates: gateRows, windows: windowRows}
	if len(l.Removed) > 0 {
		removed, err := encodeRemoved(l.Removed)
		if err != nil {
			return snapshot{}, err
		}
		s.launch.removed = removed
	}
	groups, items := 0, 0
	for _, sec := range c.Sections {
		groups += len(sec.Groups)
		for _, g := range sec.Groups {
			items += len(g.Items)
		}
	}
	s.launch.approvalsAsked = millis(l.ApprovalsAsked)
	s.sections = slices.Grow(spare.sections[:0], len(c.Sections))
	s.groups = slices.Grow(spare.groups[:0], groups)
	s.items = slices.Grow(spare.items[:0], items)
	s.roles = slices.Grow(spare.roles[:0], len(c.Roles))
	if a := l.Announced; a != nil {
		s.launch.announcedOutcome = sql.NullString{String: string(a.Outcome), Valid: true}
		s.launch.announcedAt = millis(a.At)
		s.launch.announcedBy = a.By
		s.launch.announcedFingerprint = a.Fingerprint
	}
	for si, sec := range c.Sections {
		sr := sectionRow{idx: si, number: sec.Number, title: sec.Title, kind: string(sec.Kind), owner: sec.Owner, hasSignoff: sec.HasSignoff}
		if so := sec.Signoff; so != nil {
			sr.signedBy = sql.NullString{String: so.By, Valid: true}
			sr.signedAt = millis(so.At)
			sr.signedOpen = so.OpenItems
		}
		s.sections = append(s.sections, sr)
		for gi, g := range sec.Groups {
			gr := groupRow{groupKey: groupKey{si, gi}, title: g.Title, owner: g.Owner, priority: g.Priority}
			if g.Window != nil {
				gr.windowMinutes = sql.NullInt64{Int64: int64(g.Window.OffsetMinutes), Valid: true}
			}
			s.groups = append(s.groups, gr)
			for ii, it := range g.Items {
				notes, err := encodeNotes(it.Notes)
				if err != nil {
					return snapshot{}, fmt.Errorf("item %d: %w", it.Number, err)
				}
				na, err := encodeNA(it.NA)
				if err != nil {
					return snapshot{}, fmt.Errorf("item %d: %w", it.Number, err)
				}
				waiver, err := encodeWaiver(it.Waiver)
				if err != nil {
					return snapshot{}, fmt.Errorf("item %d: %w", it.Number, err)
				}
				evidence, err := encodeEvidence(it.Evidence)
				if err != nil {
					return snapshot{}, fmt.Errorf("item %d: %w", it.Number, err)
				}
				s.items = append(s.items, itemRow{
					number: it.Number, sectionIdx: si, groupIdx: gi, idx: ii,
					parent: it.Parent, depth: it.Depth, subgroup: it.Subgroup, text: it.Text,
					done: it.Done, doneBy: it.DoneBy, doneAt: millis(it.DoneAt),
					owner: it.Owner, note: it.Note, priority: it.Priority,
					task: it.Task, line: it.Line, details: it.Details,
					notes: notes, due: it.Due, na: na, waiver: waiver, evidence: evidence,
					freshSeconds: int64(it.Fresh / time.Second), probe: probeSpec(it.Probe),
				})
			}
		}
	}
	for pos, r := range c.Roles {
		s.roles = append(s.roles, roleRow{
			position: pos, name: r.Name, description: r.Description, holder: r.Holder,
			verdict: string(r.Verdict), note: r.Note, by: r.By, at: millis(r.At), version: r.Version,
		})
	}
	return s, nil
}

// decode builds the launch the rows describe. Rows come ordered by their
// keys; a gap means the database was changed behind golive's back.
func (s snapshot) decode(id int64) (*launch.Launch, error) {
	r := s.launch
	c := &checklist.Checklist{Title: r.title, Gates: copyGates(s.gates), Windows: copyWindows(s.windows)}
	l := &launch.Launch{
		ID: id, TeamID: r.teamID, ChannelID: r.channelID,
		Name: r.name, Date: r.date, Time: r.launchTime, Timezone: r.timezone,
		Creator: r.creator, Template: r.template,
		CreatedAt:      time.UnixMilli(r.createdAt).UTC(),
		DatedAt:        time.UnixMilli(r.datedAt).UTC(),
		Archived:       r.archived,
		RemindersOff:   r.remindersOff,
		ReviewDate:     r.reviewDate,
		Checklist:      c,
		ApprovalsAsked: instant(r.approvalsAsked),
		LastItem:       r.highWater,
	}
	if r.removed != "" {
		removed, err := decodeRemoved(r.removed)
		if err != nil {
			return nil, fmt.Errorf("launch %d: %w", id, err)
		}
		l.Removed = removed
	}
	if r.announcedOutcome.Valid {
		l.Announced = &launch.Announcement{
			Outcome:     checklist.Outcome(r.announcedOutcome.String),
			At:          instant(r.announcedAt),
			By:          r.announcedBy,
			Fingerprint: r.announcedFingerprint,
		}
	}

	// Each kind of element is allocated in one block: a launch is hundreds
	// of items, and Update decodes one per tick.
	sections := make([]checklist.Section, len(s.sections))
	if len(sections) > 0 {
		c.Sections = make([]*checklist.Section, 0, len(sections))
	}
	for i, sr := range s.sections {
		if sr.idx != i {
			return nil, fmt.Errorf("launch %d: section %d is missing", id, i)
		}
		sections[i] = checklist.Section{
			Index: sr.idx, Number: sr.number, Title: sr.title,
			Kind: checklist.SectionKind(sr.kind), Owner: sr.owner, HasSignoff: sr.hasSignoff,
		}
		if sr.signedBy.Valid {
			sections[i].Signoff = &checklist.Signoff{By: sr.signedBy.String, At: instant(sr.signedAt), OpenItems: sr.signedOpen}
		}
		c.Sections = append(c.Sections, &sections[i])
	}
	groups := make([]checklist.Group, len(s.groups))
	for i, gr := range s.groups {
		if gr.section >= len(c.Sections) || gr.idx != len(c.Sections[gr.section].Groups) {
			return nil, fmt.Errorf("launch %d: group %d of section %d is out of place", id, gr.idx, gr.section)
		}
		groups[i] = checklist.Group{Index: gr.idx, Title: gr.title, Owner: gr.owner, Priority: gr.priority}
		if gr.windowMinutes.Valid {
			groups[i].Window = &checklist.WindowSpec{OffsetMinutes: int(gr.windowMinutes.Int64)}
		}
		sec := c.Sections[gr.section]
		sec.Groups = append(sec.Groups, &groups[i])
	}
	items := make([]checklist.Item, len(s.items))
	pointers := make([]*checklist.Item, len(s.items))
	first := 0 // of the current group's run of items
	for i, ir := range s.items {
		if ir.sectionIdx >= len(c.Sections) || ir.groupIdx >= len(c.Sections[ir.sectionIdx].Groups) {
			return nil, fmt.Errorf("launch %d: item %d belongs to a missing group", id, ir.number)
		}
		items[i] = checklist.Item{
			Number: ir.number, Text: ir.text,
			Done: ir.done, DoneBy: ir.doneBy, DoneAt: instant(ir.doneAt),
			Owner: ir.owner, Note: ir.note, Priority: ir.priority,
			Parent: ir.parent, Depth: ir.depth, Subgroup: ir.subgroup,
			Task: ir.task, Line: ir.line, Details: ir.details,
			Due: ir.due, Fresh: time.Duration(ir.freshSeconds) * time.Second,
		}
		if ir.notes != "" {
			notes, err := decodeNotes(ir.notes)
			if err != nil {
				return nil, fmt.Errorf("launch %d item %d: %w", id, ir.number, err)
			}
			items[i].Notes = notes
		}
		if ir.na != "" {
			na, err := decodeNA(ir.na)
			if err != nil {
				return nil, fmt.Errorf("launch %d item %d: %w", id, ir.number, err)
			}
			items[i].NA = na
		}
		if ir.waiver != "" {
			w, err := decodeWaiver(ir.waiver)
			if err != nil {
				return nil, fmt.Errorf("launch %d item %d: %w", id, ir.number, err)
			}
			items[i].Waiver = w
		}
		if ir.evidence != "" {
			e, err := decodeEvidence(ir.evidence)
			if err != nil {
				return nil, fmt.Errorf("launch %d item %d: %w", id, ir.number, err)
			}
			items[i].Evidence = e
		}
		if ir.probe != "" {
			p, err := checklist.ParseProbe(ir.probe)
			if err != nil {
				return nil, fmt.Errorf("launch %d item %d: probe: %w", id, ir.number, err)
			}
			items[i].Probe = p
		}
		pointers[i] = &items[i]
		if next := i + 1; next == len(s.items) || s.items[next].sectionIdx != ir.sectionIdx || s.items[next].groupIdx != ir.groupIdx {
			g := c.Sections[ir.sectionIdx].Groups[ir.groupIdx]
			if g.Items != nil {
				return nil, fmt.Errorf("launch %d: the items of group %d of section %d are out of order", id, ir.groupIdx, ir.sectionIdx)
			}
			// Capped, so that appending to one group never writes over the next.
			g.Items = pointers[first:next:next]
			first = next
		}
	}
	roles := make([]checklist.Role, len(s.roles))
	if len(roles) > 0 {
		c.Roles = make([]*checklist.Role, 0, len(roles))
	}
	for i, rr := range s.roles {
		roles[i] = checklist.Role{
			Name: rr.name, Description: rr.description, Holder: rr.holder,
			Verdict: checklist.Verdict(rr.verdict), Note: rr.note, By: rr.by, At: instant(rr.at), Version: rr.version,
		}
		c.Roles = append(c.Roles, &roles[i])
	}
	return l, nil
}

func encodeGates(gates []checklist.Gate) (string, error) {
	out := make([]gateJSON, len(gates))
	for i, g := range gates {
		out[i] = gateJSON{
			Name: g.Name, Kind: string(g.Kind), Threshold: g.Threshold, Strict: g.Strict,
			Section: g.Target.Section, Group: g.Target.Group, Priority: g.Target.Priority,
			Source: g.Source, Unresolved: g.Unresolved,
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode gates: %w", err)
	}
	return string(b), nil
}

func decodeGates(s string) ([]checklist.Gate, error) {
	var in []gateJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode gates: %w", err)
	}
	var out []checklist.Gate
	for _, g := range in {
		out = append(out, checklist.Gate{
			Name: g.Name, Kind: checklist.GateKind(g.Kind), Threshold: g.Threshold, Strict: g.Strict,
			Target: checklist.Target{Section: g.Section, Group: g.Group, Priority: g.Priority},
			Source: g.Source, Unresolved: g.Unresolved,
		})
	}
	return out, nil
}

func encodeWindows(windows []checklist.Window) (string, error) {
	out := make([]windowJSON, len(windows))
	for i, w := range windows {
		out[i] = windowJSON{Name: w.Name, OffsetMinutes: w.OffsetMinutes, Section: w.Section, Group: w.Group, Items: w.Items}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode windows: %w", err)
	}
	return string(b), nil
}

func decodeWindows(s string) ([]checklist.Window, error) {
	var in []windowJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode windows: %w", err)
	}
	var out []checklist.Window
	for _, w := range in {
		out = append(out, checklist.Window{Name: w.Name, OffsetMinutes: w.OffsetMinutes, Section: w.Section, Group: w.Group, Items: w.Items})
	}
	return out, nil
}

// copyGates copies gates; a Gate holds no references. Empty is nil.
func copyGates(gates []checklist.Gate) []checklist.Gate {
	if len(gates) == 0 {
		return nil
	}
	return append([]checklist.Gate(nil), gates...)
}

// copyWindows copies windows with their item lists. Empty is nil.
func copyWindows(windows []checklist.Window) []checklist.Window {
	if len(windows) == 0 {
		return nil
	}
	out := make([]checklist.Window, len(windows))
	for i, w := range windows {
		out[i] = w
		out[i].Items = nil
		if len(w.Items) > 0 {
			out[i].Items = append([]int(nil), w.Items...)
		}
	}
	return out
}

func sameWindow(a, b checklist.Window) bool {
	return a.Name == b.Name && a.OffsetMinutes == b.OffsetMinutes && a.Section == b.Section && a.Group == b.Group &&
		slices.Equal(a.Items, b.Items)
}

// millis stores an instant as Unix milliseconds; the zero time is NULL.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// instant reads what millis stored, in UTC.
func instant(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64).UTC()
}

// noteJSON and removedJSON fix the stored JSON's field names, as gateJSON does.
type noteJSON struct {
	By   string `json:"by"`
	At   int64  `json:"at"` // Unix milliseconds
	Text string `json:"text"`
}

type removedJSON struct {
	Number  int    `json:"number"`
	Section string `json:"section"`
	Text    string `json:"text"`
	Done    bool   `json:"done"`
	By      string `json:"by"`
	At      int64  `json:"at"` // Unix milliseconds
	Reason  string `json:"reason"`
}

// encodeNotes stores an item's notes as JSON, "" for none.
func encodeNotes(notes []checklist.Note) (string, error) {
	if len(notes) == 0 {
		return "", nil
	}
	out := make([]noteJSON, len(notes))
	for i, n := range notes {
		out[i] = noteJSON{By: n.By, At: n.At.UnixMilli(), Text: n.Text}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode notes: %w", err)
	}
	return string(b), nil
}

func decodeNotes(s string) ([]checklist.Note, error) {
	var in []noteJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode notes: %w", err)
	}
	out := make([]checklist.Note, len(in))
	for i, n := range in {
		out[i] = checklist.Note{By: n.By, At: time.UnixMilli(n.At).UTC(), Text: n.Text}
	}
	return out, nil
}

func encodeRemoved(removed []launch.RemovedItem) (string, error) {
	out := make([]removedJSON, len(removed))
	for i, r := range removed {
		out[i] = removedJSON{Number: r.Number, Section: r.Section, Text: r.Text, Done: r.Done, By: r.By, At: r.At.UnixMilli(), Reason: r.Reason}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encode removed items: %w", err)
	}
	return string(b), nil
}

func decodeRemoved(s string) ([]launch.RemovedItem, error) {
	var in []removedJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode removed items: %w", err)
	}
	out := make([]launch.RemovedItem, len(in))
	for i, r := range in {
		out[i] = launch.RemovedItem{Number: r.Number, Section: r.Section, Text: r.Text, Done: r.Done, By: r.By, At: time.UnixMilli(r.At).UTC(), Reason: r.Reason}
	}
	return out, nil
}

type naJSON struct {
	By          string `json:"by"`
	Reason      string `json:"reason"`
	At          int64  `json:"at"` // Unix milliseconds
	Confirmed   bool   `json:"confirmed"`
	ConfirmedBy string `json:"confirmed_by,omitempty"`
}

// encodeNA stores an item's N/A mark as JSON, "" when it applies.
func encodeNA(na *checklist.NA) (string, error) {
	if na == nil {
		return "", nil
	}
	b, err := json.Marshal(naJSON{By: na.By, Reason: na.Reason, At: na.At.UnixMilli(), Confirmed: na.Confirmed, ConfirmedBy: na.ConfirmedBy})
	if err != nil {
		return "", fmt.Errorf("encode n/a: %w", err)
	}
	return string(b), nil
}

func decodeNA(s string) (*checklist.NA, error) {
	var in naJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode n/a: %w", err)
	}
	return &checklist.NA{By: in.By, Reason: in.Reason, At: time.UnixMilli(in.At).UTC(), Confirmed: in.Confirmed, ConfirmedBy: in.ConfirmedBy}, nil
}

type waiverJSON struct {
	By      string `json:"by"`
	Until   string `json:"until"` // YYYY-MM-DD, local to the launch
	Reason  string `json:"reason"`
	At      int64  `json:"at"` // Unix milliseconds
	Noticed bool   `json:"noticed,omitempty"`
}

// encodeWaiver stores an item's waiver as JSON, "" when it has none.
func encodeWaiver(w *checklist.Waiver) (string, error) {
	if w == nil {
		return "", nil
	}
	b, err := json.Marshal(waiverJSON{By: w.By, Until: w.Until, Reason: w.Reason, At: w.At.UnixMilli(), Noticed: w.Noticed})
	if err != nil {
		return "", fmt.Errorf("encode waiver: %w", err)
	}
	return string(b), nil
}

func decodeWaiver(s string) (*checklist.Waiver, error) {
	var in waiverJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode waiver: %w", err)
	}
	return &checklist.Waiver{By: in.By, Until: in.Until, Reason: in.Reason, At: time.UnixMilli(in.At).UTC(), Noticed: in.Noticed}, nil
}

type evidenceJSON struct {
	Pass     bool   `json:"pass"`
	Summary  string `json:"summary"`
	URL      string `json:"url,omitempty"`
	At       int64  `json:"at"` // Unix milliseconds
	By       string `json:"by"`
	Received int64  `json:"received"` // Unix milliseconds
	Value    string `json:"value,omitempty"`
}

// encodeEvidence stores an item's evidence as JSON, "" when it has none.
func encodeEvidence(e *checklist.Evidence) (string, error) {
	if e == nil {
		return "", nil
	}
	b, err := json.Marshal(evidenceJSON{Pass: e.Pass, Summary: e.Summary, URL: e.URL, At: e.At.UnixMilli(), By: e.By, Received: e.Received.UnixMilli(), Value: e.Value})
	if err != nil {
		return "", fmt.Errorf("encode evidence: %w", err)
	}
	return string(b), nil
}

func decodeEvidence(s string) (*checklist.Evidence, error) {
	var in evidenceJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decode evidence: %w", err)
	}
	return &checklist.Evidence{Pass: in.Pass, Summary: in.Summary, URL: in.URL, At: time.UnixMilli(in.At).UTC(),
		By: in.By, Received: time.UnixMilli(in.Received).UTC(), Value: in.Value}, nil
}

// probeSpec stores an item's probe as its spec, "" when it has none.
func probeSpec(p *checklist.Probe) string {
	if p == nil {
		return ""
	}
	return p.String()
}
