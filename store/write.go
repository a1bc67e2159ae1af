package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/golive/golive/internal/launch"
)

const (
	insertLaunch = `INSERT INTO launches (team_id, channel_id, name, date, timezone, creator, template,
	created_at, archived, reminders_off, review_date,
	announced_outcome, announced_at, announced_by, announced_fingerprint,
	title, gates, windows, launch_time, dated_at, approvals_asked_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`
	updateLaunch = `UPDATE launches SET team_id = ?, channel_id = ?, name = ?, date = ?, timezone = ?, creator = ?, template = ?,
	created_at = ?, archived = ?, reminders_off = ?, review_date = ?,
	announced_outcome = ?, announced_at = ?, announced_by = ?, announced_fingerprint = ?,
	title = ?, gates = ?, windows = ?, launch_time = ?, dated_at = ?, approvals_asked_at = ?
WHERE id = ?`
	upsertSection = `INSERT INTO sections (launch_id, idx, number, title, kind, owner, has_signoff, signed_by, signed_at, signed_open)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (launch_id, idx) DO UPDATE SET number = excluded.number, title = excluded.title, kind = excluded.kind,
	owner = excluded.owner, has_signoff = excluded.has_signoff, signed_by = excluded.signed_by,
	signed_at = excluded.signed_at, signed_open = excluded.signed_open`
	deleteSection = `DELETE FROM sections WHERE launch_id = ? AND idx = ?`
	upsertGroup   = `INSERT INTO section_groups (launch_id, section_idx, idx, title, owner, priority, window_minutes)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (launch_id, section_idx, idx) DO UPDATE SET title = excluded.title, owner = excluded.owner,
	priority = excluded.priority, window_minutes = excluded.window_minutes`
	deleteGroup = `DELETE FROM section_groups WHERE launch_id = ? AND section_idx = ? AND idx = ?`
	upsertItem  = `INSERT INTO items (launch_id, number, section_idx, group_idx, idx, parent, depth, subgroup, text,
	done, done_by, done_at, owner, note, priority, task, line)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (launch_id, number) DO UPDATE SET section_idx = excluded.section_idx, group_idx = excluded.group_idx,
	idx = excluded.idx, parent = excluded.parent, depth = excluded.depth, subgroup = excluded.subgroup,
	text = excluded.text, done = excluded.done, done_by = excluded.done_by, done_at = excluded.done_at,
	owner = excluded.owner, note = excluded.note, priority = excluded.priority, task = excluded.task,
	line = excluded.line`
	// Details come from the document and never change once imported: a
	// statement of their own, run only for items that have some, so that
	// rows written before 0009_item_details.sql stay writable in tests.
	setItemDetails = `UPDATE items SET details = ? WHERE launch_id = ? AND number = ?`
	// Notes, removed items and the item high-water mark come with edits of
	// a live launch (0012_item_edits.sql); like details, they are written by
	// statements of their own, run only when they changed.
	setItemNotes = `UPDATE items SET notes = ? WHERE launch_id = ? AND number = ?`
	// Due dates likewise (0014_item_due.sql).
	setItemDue = `UPDATE items SET due = ? WHERE launch_id = ? AND number = ?`
	// And N/A marks (0015_item_na.sql).
	setItemNA = `UPDATE items SET na = ? WHERE launch_id = ? AND number = ?`
	// And waivers (0016_item_waiver.sql).
	setItemWaiver = `UPDATE items SET waiver = ? WHERE launch_id = ? AND number = ?`
	// And evidence (0022_evidence.sql).
	setItemEvidence = `UPDATE items SET evidence = ? WHERE launch_id = ? AND number = ?`
	// And freshness (0023_item_fresh.sql).
	setItemFresh = `UPDATE items SET fresh_seconds = ? WHERE launch_id = ? AND number = ?`
	// And probes (0025_item_probe.sql).
	setItemProbe     = `UPDATE items SET probe = ? WHERE launch_id = ? AND number = ?`
	setLaunchRemoved = `UPDATE launches SET removed_items = ?, item_high_water = ? WHERE id = ?`
	deleteItem       = `DELETE FROM items WHERE launch_id = ? AND number = ?`
	upsertRole       = `INSERT INTO roles (launch_id, position, name, description, holder, verdict, note, answered_by, answered_at, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (launch_id, position) DO UPDATE SET name = excluded.name, description = excluded.description,
	holder = excluded.holder, verdict = excluded.verdict, note = excluded.note,
	answered_by = excluded.answered_by, answered_at = excluded.answered_at, version = excluded.version`
	deleteRole = `DELETE FROM roles WHERE launch_id = ? AND position = ?`
)

func (r launchRow) args() []any {
	return []any{r.teamID, r.channelID, r.name, r.date, r.timezone, r.creator, r.template,
		r.createdAt, r.archived, r.remindersOff, r.reviewDate,
		r.announcedOutcome, r.announcedAt, r.announcedBy, r.announcedFingerprint,
		r.title, r.gates, r.windows, r.launchTime, r.datedAt, r.approvalsAsked}
}

// writeChanges stores the rows that differ between before and after, the
// launch's state at the start of the transaction and now. Launch id's row
// must exist already.
func writeChanges(ctx context.Context, tx *sql.Tx, id int64, before, after snapshot) error {
	st := &statements{tx: tx}
	defer st.close()
	if before.launch != after.launch {
		if _, err := tx.ExecContext(ctx, updateLaunch, append(after.launch.args(), id)...); err != nil {
			if isUniqueViolation(err) {
				return launch.Errorf(launch.ECONFLICT, "This channel already has another active launch, and a channel can have only one. Archive that one first.")
			}
			return fmt.Errorf("update launch %d: %w", id, err)
		}
	}
	if before.launch.removed != after.launch.removed || before.launch.highWater != after.launch.highWater {
		if err := st.exec(ctx, setLaunchRemoved, after.launch.removed, after.launch.highWater, id); err != nil {
			return fmt.Errorf("write removed items of launch %d: %w", id, err)
		}
	}
	sections, goneSections, err := diff(before.sections, after.sections)
	if err != nil {
		return fmt.Errorf("launch %d sections: %w", id, err)
	}
	groups, goneGroups, err := diff(before.groups, after.groups)
	if err != nil {
		return fmt.Errorf("launch %d groups: %w", id, err)
	}
	items, goneItems, err := diff(before.items, after.items)
	if err != nil {
		return fmt.Errorf("launch %d items: %w", id, err)
	}
	roles, goneRoles, err := diff(before.roles, after.roles)
	if err != nil {
		return fmt.Errorf("launch %d roles: %w", id, err)
	}

	for _, n := range goneItems {
		if err := st.exec(ctx, deleteItem, id, n); err != nil {
			return fmt.Errorf("delete item %d of launch %d: %w", n, id, err)
		}
	}
	for _, k := range goneGroups {
		if err := st.exec(ctx, deleteGroup, id, k.section, k.idx); err != nil {
			return fmt.Errorf("delete group %d.%d of launch %d: %w", k.section, k.idx, id, err)
		}
	}
	for _, idx := range goneSections {
		if err := st.exec(ctx, deleteSection, id, idx); err != nil {
			return fmt.Errorf("delete section %d of launch %d: %w", idx, id, err)
		}
	}
	for _, pos := range goneRoles {
		if err := st.exec(ctx, deleteRole, id, pos); err != nil {
			return fmt.Errorf("delete role %d of launch %d: %w", pos, id, err)
		}
	}

	for _, r := range sections {
		if err := st.exec(ctx, upsertSection, id, r.idx, r.number, r.title, r.kind, r.owner,
			r.hasSignoff, r.signedBy, r.signedAt, r.signedOpen); err != nil {
			return fmt.Errorf("write section %d of launch %d: %w", r.idx, id, err)
		}
	}
	for _, r := range groups {
		if err := st.exec(ctx, upsertGroup, id, r.section, r.idx, r.title, r.owner, r.priority, r.windowMinutes); err != nil {
			return fmt.Errorf("write group %d.%d of launch %d: %w", r.section, r.idx, id, err)
		}
	}
	for _, r := range items {
		if err := st.exec(ctx, upsertItem, id, r.number, r.sectionIdx, r.groupIdx, r.idx, r.parent, r.depth,
			r.subgroup, r.text, r.done, r.doneBy, r.doneAt, r.owner, r.note, r.priority, r.task, r.line); err != nil {
			return fmt.Errorf("write item %d of launch %d: %w", r.number, id, err)
		}
		if r.details != "" {
			if err := st.exec(ctx, setItemDetails, r.details, id, r.number); err != nil {
				return fmt.Errorf("write item %d details of launch %d: %w", r.number, id, err)
			}
		}
		if r.notes != notesOf(before.items, r.number) {
			if err := st.exec(ctx, setItemNotes, r.notes, id, r.number); err != nil {
				return fmt.Errorf("write item %d notes of launch %d: %w", r.number, id, err)
			}
		}
		if r.na != naOf(before.items, r.number) {
			if err := st.exec(ctx, setItemNA, r.na, id, r.number); err != nil {
				return fmt.Errorf("write item %d n/a of launch %d: %w", r.number, id, err)
			}
		}
		if r.waiver != waiverOf(before.items, r.number) {
			if err := exec(ctx, tx, setItemWaiver, r.waiver, id, r.number); err != nil {
				return fmt.Errorf("write item %d waiver of launch %d: %w", r.number, id, err)
			}
		}
		if r.evidence != evidenceOf(before.items, r.number) {
			if err := st.exec(ctx, setItemEvidence, r.evidence, id, r.number); err != nil {
				return fmt.Errorf("write item %d evidence of launch %d: %w", r.number, id, err)
			}
		}
		if r.freshSeconds != freshOf(before.items, r.number) {
			if err := st.exec(ctx, setItemFresh, r.freshSeconds, id, r.number); err != nil {
				return fmt.Errorf("write item %d freshness of launch %d: %w", r.number, id, err)
			}
		}
		if r.probe != probeOf(before.items, r.number) {
			if err := st.exec(ctx, setItemProbe, r.probe, id, r.number); err != nil {
				return fmt.Errorf("write item %d probe of launch %d: %w", r.number, id, err)
			}
		}
		if r.due != dueOf(before.items, r.number) {
			if err := st.exec(ctx, setItemDue, r.due, id, r.number); err != nil {
				return fmt.Errorf("write item %d due date of launch %d: %w", r.number, id, err)
			}
		}
	}
	for _, r := range roles {
		if err := st.exec(ctx, upsertRole, id, r.position, r.name, r.description, r.holder,
			r.verdict, r.note, r.by, r.at, r.version); err != nil {
			return fmt.Errorf("write role %d of launch %d: %w", r.position, id, err)
		}
	}
	return nil
}

func exec(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	_, err := tx.ExecContext(ctx, query, args...)
	return err
}

// statements prepares each query of a transaction once: storing a launch
// of 10 000 items runs the item statements 10 000 times, and the SQLite
// driver compiles an unprepared statement on every call.
type statements struct {
	tx       *sql.Tx
	prepared map[string]*sql.Stmt
}

func (s *statements) exec(ctx context.Context, query string, args ...any) error {
	stmt, ok := s.prepared[query]
	if !ok {
		var err error
		if stmt, err = s.tx.PrepareContext(ctx, query); err != nil {
			return err
		}
		if s.prepared == nil {
			s.prepared = map[string]*sql.Stmt{}
		}
		s.prepared[query] = stmt
	}
	_, err := stmt.ExecContext(ctx, args...)
	return err
}

// close releases the prepared statements; the transaction's end would too.
func (s *statements) close() {
	for _, stmt := range s.prepared {
		stmt.Close()
	}
}

// keyedRow is a table row that knows its primary key within its launch.
type keyedRow[K comparable] interface {
	comparable
	key() K
}

// diff returns the rows of after that are new or differ from before, and
// the keys before has that after no longer has. A key used twice in after
// is an error: stored, one row would silently overwrite the other.
func diff[K comparable, R keyedRow[K]](before, after []R) (changed []R, gone []K, err error) {
	if sameKeys(before, after) {
		// The usual case (ticks, owners, verdicts): rows pair up in order.
		for i := range after {
			if before[i] != after[i] {
				changed = append(changed, after[i])
			}
		}
		return changed, nil, nil
	}
	old := make(map[K]R, len(before))
	for _, r := range before {
		old[r.key()] = r
	}
	seen := make(map[K]bool, len(after))
	for _, r := range after {
		k := r.key()
		if seen[k] {
			return nil, nil, fmt.Errorf("key %v is used twice", k)
		}
		seen[k] = true
		if o, ok := old[k]; !ok || o != r {
			changed = append(changed, r)
		}
	}
	for _, r := range before {
		if !seen[r.key()] {
			gone = append(gone, r.key())
		}
	}
	return changed, gone, nil
}

// sameKeys tells whether before and after hold the same keys in the same
// order; before's keys are unique, being primary keys.
func sameKeys[K comparable, R keyedRow[K]](before, after []R) bool {
	if len(before) != len(after) {
		return false
	}
	for i := range before {
		if before[i].key() != after[i].key() {
			return false
		}
	}
	return true
}

// notesOf returns the stored notes of item number among rows (few rows
// change at a time, so a scan is enough).
func notesOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.notes
		}
	}
	return ""
}

// dueOf returns the stored due date of item number among rows.
func dueOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.due
		}
	}
	return ""
}

// naOf returns the stored N/A mark of item number among rows.
func naOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.na
		}
	}
	return ""
}

// waiverOf returns the stored waiver of item number among rows.
func waiverOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.waiver
		}
	}
	return ""
}

// evidenceOf returns the stored evidence of item number among rows.
func evidenceOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.evidence
		}
	}
	return ""
}

// freshOf returns the stored freshness of item number among rows.
func freshOf(rows []itemRow, number int) int64 {
	for _, r := range rows {
		if r.number == number {
			return r.freshSeconds
		}
	}
	return 0
}

func probeOf(rows []itemRow, number int) string {
	for _, r := range rows {
		if r.number == number {
			return r.probe
		}
	}
	return ""
}
