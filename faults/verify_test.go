//go:build faults

package faults

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"github.com/golive/golive/store"
)

// The queries below read golive's tables directly, read-only, as an
// outside check, in SQL both SQLite and PostgreSQL read: they name only
// the columns they need, so that they stay close to the schemas
// (store/migrations/sqlite, store/migrations/postgres) and fail loudly when
// they move.

// openRead opens the database: a SQLite file read-only, or PostgreSQL.
func openRead(t testing.TB, path string) *sql.DB {
	driver, dsn := "sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000"
	if store.IsPostgres(path) {
		driver, dsn = "pgx", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s read-only: %v", path, err)
	}
	return db
}

// bind writes the ? placeholders of a query as $1, $2... for PostgreSQL.
func bind(path, query string) string {
	if !store.IsPostgres(path) {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// outboxRow is a post golive owes, as the outbox holds it.
type outboxRow struct {
	key, kind, state string
	inDoubt          bool
	attempts         int
}

// reminderRow is a reminder, which delivery queues in the outbox once due.
type reminderRow struct {
	id, launchID     int64
	kind, key, state string
	dueAt            time.Time
}

// outboxKey is the prefix of the outbox keys of r's posts:
// "remind:<launch>:<kind>:<key>", followed by ":<part>" when one reminder
// makes several posts.
func (r reminderRow) outboxKey() string {
	return fmt.Sprintf("remind:%d:%s:%s", r.launchID, r.kind, r.key)
}

// auditRow is one row of the audit log.
type auditRow struct {
	auditKey
}

func outboxRows(t testing.TB, db *sql.DB) []outboxRow {
	rows, err := db.Query(`SELECT key, kind, state, in_doubt, attempts FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.key, &r.kind, &r.state, &r.inDoubt, &r.attempts); err != nil {
			t.Fatalf("read the outbox: %v", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the outbox: %v", err)
	}
	return out
}

func reminderRows(t testing.TB, db *sql.DB) []reminderRow {
	rows, err := db.Query(`SELECT id, launch_id, kind, key, state, due_at FROM reminders ORDER BY id`)
	if err != nil {
		t.Fatalf("read the reminders: %v", err)
	}
	defer rows.Close()
	var out []reminderRow
	for rows.Next() {
		var r reminderRow
		var due int64
		if err := rows.Scan(&r.id, &r.launchID, &r.kind, &r.key, &r.state, &due); err != nil {
			t.Fatalf("read the reminders: %v", err)
		}
		r.dueAt = time.UnixMilli(due)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the reminders: %v", err)
	}
	return out
}

// auditRows reads the audit log, naming each row's subject from its typed
// fields (migration 0021: items, section, role, launch_name) as the ledger
// does: "item 12", "section Security", "role QA Lead", "launch Name".
func auditRows(t testing.TB, db *sql.DB) []auditRow {
	rows, err := db.Query(`SELECT actor, action, items, section, role, launch_name, after_value FROM audit ORDER BY id`)
	if err != nil {
		t.Fatalf("read the audit log: %v", err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		var items, section, role, launchName string
		if err := rows.Scan(&r.actor, &r.action, &items, &section, &role, &launchName, &r.after); err != nil {
			t.Fatalf("read the audit log: %v", err)
		}
		switch {
		case items != "[]":
			r.subject = "item " + strings.Trim(items, "[]")
		case section != "":
			r.subject = "section " + section
		case role != "":
			r.subject = "role " + role
		case launchName != "":
			r.subject = "launch " + launchName
		default:
			r.subject = r.action
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the audit log: %v", err)
	}
	return out
}

// unsettled counts what is still to deliver at golive's time now: outbox
// rows not done, and reminders due but not done.
func unsettled(t testing.TB, path string, now time.Time) int {
	db := openRead(t, path)
	defer db.Close()
	var n int
	err := db.QueryRow(bind(path, `SELECT
		(SELECT count(*) FROM outbox WHERE state IN ('pending', 'claimed', 'sending')) +
		(SELECT count(*) FROM reminders WHERE state IN ('pending', 'claimed', 'posting') AND due_at <= ?)`),
		now.UnixMilli()).Scan(&n)
	if err != nil {
		// The servers may hold the database busy; look again later.
		return -1
	}
	return n
}

// tally is what the checks of runs found, summed per mode.
type tally struct {
	runs, kills int
	// Posts golive owed (outbox rows, and reminders it recorded as sent),
	// the keys Slack shows, those shown twice or more (each extra counts),
	// those not shown, and those shown with no cause in the database.
	expected, seen, duplicated, lost, unexpected int
	// unknown are outbox rows ended unknown (history off): unknownSeen
	// of them are in Slack, the rest were not posted.
	unknown, unknownSeen int
	// retried are the outbox rows sent more than once (attempts > 1).
	retried int
	// skipped reminders were decided against by golive (too late, say).
	skipped int
	// faults are the calls the fake failed on purpose.
	faults int
	// acked changes, and those missing from or doubled in the audit log.
	acked, auditMissing, auditExtra int
}

func (a *tally) add(b tally) {
	a.runs += b.runs
	a.kills += b.kills
	a.expected += b.expected
	a.seen += b.seen
	a.duplicated += b.duplicated
	a.lost += b.lost
	a.unexpected += b.unexpected
	a.unknown += b.unknown
	a.unknownSeen += b.unknownSeen
	a.retried += b.retried
	a.skipped += b.skipped
	a.faults += b.faults
	a.acked += b.acked
	a.auditMissing += b.auditMissing
	a.auditExtra += b.auditExtra
}

// check reads the database of a run whose servers have all stopped, and
// the fake's posts, and reports every broken promise with t.Errorf:
//
//   - every acknowledged change is in the audit log exactly once: a change
//     asked for a acknowledged and u unacknowledged times shows between a
//     and a+u times (an unacknowledged request may or may not have been
//     stored, never twice);
//   - every outbox row sent, and every reminder recorded sent, is in
//     Slack exactly once by its key;
//   - with history on, no outbox row ends unknown; with it off, a row
//     ended unknown (its send was cut off) is in Slack at most once;
//   - nothing is left to deliver, nothing failed, and Slack shows no
//     golive post that the database has no cause for.
func check(t testing.TB, w *world, led *ledger, end time.Time) tally {
	db := openRead(t, w.db)
	defer db.Close()
	var got tally
	posted := w.slack.keyed()
	owed := map[string]bool{}

	for _, r := range outboxRows(t, db) {
		owed[r.key] = true
		n := posted[r.key]
		got.expected++
		if r.attempts > 1 {
			got.retried++
		}
		got.seen += min(n, 1)
		if n > 1 {
			got.duplicated += n - 1
			t.Errorf("outbox %s (%s, %s, %d attempts) was posted %d times", r.key, r.kind, r.state, r.attempts, n)
		}
		switch {
		case r.state == "sent" && n == 0:
			got.lost++
			t.Errorf("outbox %s (%s) is recorded sent but Slack does not have it", r.key, r.kind)
		case r.state == "unknown" && w.history:
			got.lost += 1 - min(n, 1)
			t.Errorf("outbox %s (%s) ended unknown although golive could look it up", r.key, r.kind)
		case r.state == "unknown":
			got.unknown++
			got.unknownSeen += min(n, 1)
		case r.state != "sent":
			got.lost++
			t.Errorf("outbox %s (%s) ended %s (%d attempts): never delivered", r.key, r.kind, r.state, r.attempts)
		}
	}
	// A reminder is posted through the outbox, under keys that start with
	// its own (remind:<launch>:<kind>:<key>), checked above with the
	// outbox's rows. Here: a reminder golive skipped posted nothing, and
	// none due by the end of the run is left undone.
	for _, r := range reminderRows(t, db) {
		prefix := r.outboxKey()
		n := 0
		for k, c := range posted {
			if k == prefix || strings.HasPrefix(k, prefix+":") {
				n += c
			}
		}
		switch {
		case r.state == "skipped":
			got.skipped++
			if n > 0 {
				got.unexpected += n
				t.Errorf("reminder %d (%s %s) was skipped but posted %d times", r.id, r.kind, r.key, n)
			}
		case r.state == "sent", r.state == "pending" && r.dueAt.After(end), r.kind == "digest":
		default:
			got.lost++
			t.Errorf("reminder %d (%s %s, due %s) ended %s", r.id, r.kind, r.key, r.dueAt.UTC().Format(time.RFC3339), r.state)
		}
	}
	dms := w.slack.unkeyedDMs()
	for _, holder := range sortedKeys(dms) {
		got.unexpected += dms[holder]
		t.Errorf("%s got %d direct messages without a key", holder, dms[holder])
	}
	for _, k := range sortedKeys(posted) {
		if !owed[k] {
			got.unexpected += posted[k]
			t.Errorf("Slack shows %d posts keyed %s, which golive does not owe", posted[k], k)
		}
	}

	audited := map[auditKey]int{}
	for _, r := range auditRows(t, db) {
		audited[r.auditKey]++
		// Notes are told apart by their text; other changes are not.
		if r.action != "note" {
			audited[auditKey{r.actor, r.action, r.subject, ""}]++
		}
	}
	led.mu.Lock()
	defer led.mu.Unlock()
	for k, a := range led.acked {
		got.acked += a
		n := audited[k]
		switch {
		case n < a:
			got.auditMissing += a - n
			t.Errorf("change %s was acknowledged %d times but the audit log has it %d times", k, a, n)
		case n > a+led.unacked[k]:
			got.auditExtra += n - a - led.unacked[k]
			t.Errorf("change %s was asked for %d times (%d acknowledged) but the audit log has it %d times", k, a+led.unacked[k], a, n)
		}
	}
	for k, u := range led.unacked {
		if led.acked[k] == 0 && audited[k] > u {
			got.auditExtra += audited[k] - u
			t.Errorf("change %s was asked for %d times, never acknowledged, but the audit log has it %d times", k, u, audited[k])
		}
	}
	for _, n := range w.slack.faults() {
		got.faults += n
	}
	return got
}

// outboxKinds counts a database's outbox rows by kind, for the checks that
// what should have been told was.
func outboxKinds(t testing.TB, path string) map[string]int {
	db := openRead(t, path)
	defer db.Close()
	out := map[string]int{}
	for _, r := range outboxRows(t, db) {
		out[r.kind]++
	}
	return out
}

// describe writes the rows of a failed run, for its log.
func describe(t testing.TB, path string) string {
	db := openRead(t, path)
	defer db.Close()
	var b strings.Builder
	for _, r := range outboxRows(t, db) {
		fmt.Fprintf(&b, "outbox %s %s %s doubt=%v attempts=%d\n", r.key, r.kind, r.state, r.inDoubt, r.attempts)
	}
	for _, r := range reminderRows(t, db) {
		fmt.Fprintf(&b, "reminder %d %s %s %s due %s\n", r.id, r.kind, r.key, r.state, r.dueAt.UTC().Format(time.RFC3339))
	}
	return b.String()
}
