//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive/golive/store/pgtest"
)

// The replicas' tests: three `golive serve` processes on one database, the
// way issue 14 runs golive behind a load balancer, on each backend the
// database can be.

// backend is a database the replicas share.
type backend struct {
	name string
	// db returns the GOLIVE_DB of a new, empty database for t (dir is
	// t's temporary directory), or skips t when the backend is absent.
	db func(t *testing.T, dir string) string
}

// backends are the databases the replicas' tests run on: PostgreSQL, a
// fresh database on the cluster package pgtest starts (skipped without
// PostgreSQL on the machine, failed instead under
// GOLIVE_REQUIRE_POSTGRES=1, as CI sets it), and one SQLite file (WAL lets
// several processes on one machine share it).
var backends = []backend{
	{name: "postgres", db: func(t *testing.T, _ string) string { return pgtest.URL(t) }},
	{name: "sqlite", db: func(_ *testing.T, dir string) string { return filepath.Join(dir, "golive.db") }},
}

// replicas is how many servers the replicas' tests run.
const replicas = 3

// Timings of the tick test, in real time.
const (
	tickClients = 32
	tickFor     = 10 * time.Second
	// The kill falls halfway through; the killed replica is started again
	// restartAfter later.
	restartAfter = time.Second
)

// ticksChecklist has 32 unowned items in four sections, one per client.
var ticksChecklist = filepath.Join("testdata", "ticks.md")

// startReplicas starts n servers on w's database.
func startReplicas(w *world, n int) []*server {
	var out []*server
	for i := range n {
		out = append(out, w.startServer(fmt.Sprintf("replica%d", i+1)))
	}
	w.t.Cleanup(func() {
		for _, s := range out {
			if s.alive() {
				s.kill()
			}
		}
	})
	return out
}

// setup sends a command until one of the servers answers with want (or
// with stands, a retry finding it done), for what a test prepares rather
// than checks.
func setup(t *testing.T, c *client, user, text, want, stands string) {
	t.Helper()
	for range 20 {
		a := c.command(user, text)
		if a.acked && (strings.HasPrefix(a.text, want) || (stands != "" && strings.HasPrefix(a.text, stands))) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("/golive %s: not done in 20 tries", text)
}

// TestReplicaTicks runs 32 clients ticking for 10 s through three servers
// on one database, each request to the next live server in turn, and kills
// one server with SIGKILL halfway through (started again a second later).
// Each client ticks its own item over and over, by checkbox and by
// command; the items must be verified within 7 days, so that each tick,
// even of a done item, is a change ("verified again") with its audit row.
// Every acknowledged tick must be in the audit log exactly once, and no
// unacknowledged one counted twice.
func TestReplicaTicks(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { runTicks(t, b) })
	}
}

func runTicks(t *testing.T, b backend) {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, db: b.db(t, dir), clock: newClock(weekStart, 1), slack: newFakeSlack(t)}
	servers := startReplicas(w, replicas)
	c := newClient(w.slack, servers)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs and database in %s", dir)
			keepLogs(t, dir)
		}
	})

	if out, code := w.importChecklist(ticksChecklist, "Replica ticks", launchDate, "14:00", 0); code != 0 && code != 1 {
		t.Fatalf("golive import exited %d: %s", code, out)
	}
	items := openItems(t, w.db)
	numbers := slices.Sorted(func(yield func(int) bool) {
		for n := range items {
			if !yield(n) {
				return
			}
		}
	})
	if len(numbers) < tickClients {
		t.Fatalf("the launch has %d open items, want %d", len(numbers), tickClients)
	}
	sections := map[string]bool{}
	for _, s := range items {
		sections[s] = true
	}
	// A checklist message per section, for the checkbox clicks.
	shown := map[string]message{}
	for s := range sections {
		setup(t, c, creator, "fresh "+s+" 7d", "From now on", "Already so")
		setup(t, c, creator, "checklist "+s, "", "")
		msg, ok := waitFor(w.slack, func(m *message) bool {
			return m.Channel == channel && m.Key == "" && showsBox(*m, firstOf(items, s))
		}, 10*time.Second)
		if !ok {
			t.Fatalf("no checklist message of %s", s)
		}
		shown[s] = msg
	}

	led := newLedger()
	var mu sync.Mutex
	var clicks []clickChange
	var sent atomic.Int64
	start := time.Now()
	deadline := start.Add(tickFor)
	var clients sync.WaitGroup
	for i := range tickClients {
		user := fmt.Sprintf("U0TICK%02d", i+1)
		n := numbers[i]
		msg := shown[items[n]]
		if !showsBox(msg, n) {
			t.Fatalf("the checklist message of %s has no checkbox for item %d", items[n], n)
		}
		clients.Add(1)
		go func() {
			defer clients.Done()
			k := auditKey{user, "tick", fmt.Sprintf("item %d", n), ""}
			for j := 0; time.Now().Before(deadline); j++ {
				sent.Add(1)
				if j%2 == 0 {
					payload := tickAgain(c, user, msg, n)
					a := c.interact(payload)
					mu.Lock()
					clicks = append(clicks, clickChange{k: k, acked: a.acked, responseURL: payload["response_url"].(string)})
					mu.Unlock()
					continue
				}
				a := c.command(user, "tick "+strconv.Itoa(n))
				led.record(k, a.acked && strings.HasPrefix(a.text, "You ticked"))
			}
		}()
	}
	rng := rand.New(rand.NewPCG(seedBase()+5000, 1))
	victim := servers[rng.IntN(len(servers))]
	time.Sleep(time.Until(start.Add(tickFor / 2)))
	victim.kill()
	time.Sleep(restartAfter)
	if err := victim.start(); err != nil {
		t.Errorf("restart %s: %v", victim.name, err)
	}
	clients.Wait()
	elapsed := time.Since(start)

	end := w.clock.now()
	settleAll(t, w, end)
	for _, s := range servers {
		s.stop()
	}
	for _, ch := range clicks {
		led.record(ch.k, ch.acked && !w.slack.respondedTo(ch.responseURL))
	}
	got := check(t, w, led, end)
	got.runs, got.kills = 1, 1
	unacked := 0
	for _, u := range led.unacked {
		unacked += u
	}
	t.Logf("%s: %d ticks sent in %s by %d clients through %d replicas (one killed at %s): %d acknowledged (%.0f/s), %d not; audit: %d present, %d missing, %d extra",
		b.name, sent.Load(), elapsed.Round(time.Millisecond), tickClients, replicas, tickFor/2, got.acked,
		float64(got.acked)/elapsed.Seconds(), unacked, got.acked-got.auditMissing, got.auditMissing, got.auditExtra)
	record(fmt.Sprintf("%d replicas, %d clients ticking %s, one killed (%s)", replicas, tickClients, tickFor, b.name), got)
}

// tickAgain is user's click ticking item n on msg, with the message as
// showing every item open: whatever the item's state, the click asks for
// it ticked, which is a change (ticked, or verified again) every time.
func tickAgain(c *client, user string, msg message, n int) map[string]any {
	var blocks []map[string]any
	_ = json.Unmarshal([]byte(msg.Blocks), &blocks)
	num := strconv.Itoa(n)
	var action map[string]any
	for _, b := range blocks {
		for _, el := range elements(b) {
			if el["type"] != "checkboxes" {
				continue
			}
			delete(el, "initial_options")
			if hasOption(el["options"], num) {
				action = map[string]any{"type": "checkboxes", "action_id": el["action_id"], "block_id": b["block_id"],
					"selected_options": []any{map[string]any{"value": num, "text": map[string]any{"type": "mrkdwn", "text": num}}},
					"action_ts":        "1.1"}
			}
		}
	}
	raw, _ := json.Marshal(blocks)
	shown := msg
	shown.Blocks = string(raw)
	return c.blockAction(user, shown, action, c.trigger())
}

// showsBox tells whether msg has a checkbox for item n.
func showsBox(msg message, n int) bool {
	var blocks []map[string]any
	if json.Unmarshal([]byte(msg.Blocks), &blocks) != nil {
		return false
	}
	for _, b := range blocks {
		for _, el := range elements(b) {
			if el["type"] == "checkboxes" && hasOption(el["options"], strconv.Itoa(n)) {
				return true
			}
		}
	}
	return false
}

// firstOf returns the lowest item number of section s.
func firstOf(items map[int]string, s string) int {
	first := 0
	for n, title := range items {
		if title == s && (first == 0 || n < first) {
			first = n
		}
	}
	return first
}

// waitFor waits up to d for a message at the fake that keep accepts.
func waitFor(f *fakeSlack, keep func(*message) bool, d time.Duration) (message, bool) {
	deadline := time.Now().Add(d)
	for {
		if m, ok := f.latest(keep); ok {
			return m, true
		}
		if time.Now().After(deadline) {
			return message{}, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settleAll waits (in real time, bounded) until nothing due by end is left
// to deliver.
func settleAll(t *testing.T, w *world, end time.Time) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if unsettled(t, w.db, end) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("posts and reminders were still undelivered 60 s after the run's end")
}

// The month test's clock: a month of golive's time passes in about 105 s,
// so that a 3 s lease (a test clock's) is 21 hours of it: a reminder whose
// claim a kill left behind is taken over the same day or the next.
const (
	monthRate     = 25000
	monthLaunches = 4
	monthKills    = 8
	// Every crashEvery-th reminder post taken by Slack kills its sender
	// before the answer reaches it, maxCrashes times.
	crashEvery = 9
	maxCrashes = 6
)

// monthStart is golive's time at the start of the month test: a Monday.
var monthStart = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

// TestReplicaMonth runs a month of reminders on three servers sharing one
// database: four launches a week apart, each in its own channel, imported
// at the start, with their countdowns, windows and digests. Servers are
// killed with SIGKILL and started again at once: eight times at instants
// the seed picks (half within three minutes after the reminder time,
// while reminders go out), and, every ninth reminder post (six times at
// most), the server posting it, once Slack has taken the post and before
// the answer reaches it. Slack's history is on, so that a post cut off by a
// kill is looked up rather than left unknown: every reminder due is posted
// exactly once (or recorded skipped, and posted never).
func TestReplicaMonth(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			runMonth(t, b)
		})
	}
}

func runMonth(t *testing.T, b backend) {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, db: b.db(t, dir), clock: newClock(monthStart, monthRate), slack: newFakeSlack(t), history: true}
	servers := startReplicas(w, replicas)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs and database in %s\n%s", dir, describe(t, w.db))
			keepLogs(t, dir)
		}
	})
	rs := &restarter{t: t}
	byName := map[string]*server{}
	for _, s := range servers {
		byName[s.name] = s
	}
	var reminderPosts, crashes atomic.Int64
	w.slack.setCrasher(func(caller, key string) (func(), bool) {
		s := byName[caller]
		if s == nil || !strings.HasPrefix(key, "remind:") || reminderPosts.Add(1)%crashEvery != 0 || crashes.Add(1) > maxCrashes {
			return nil, false
		}
		return func() { rs.crash(s) }, true
	})
	for i := range monthLaunches {
		date := monthStart.AddDate(0, 0, 7*(i+1)).Format(time.DateOnly)
		ch := fmt.Sprintf("C0MONTH%d", i+1)
		if out, code := w.importInto(ch, seedChecklist, fmt.Sprintf("Month launch %d", i+1), date, "14:00", 0); code != 0 && code != 1 {
			t.Fatalf("golive import into %s exited %d: %s", ch, code, out)
		}
	}

	end := monthStart.AddDate(0, 1, 0)
	rng := rand.New(rand.NewPCG(seedBase()+6000, 1))
	var kills []time.Time
	now := w.clock.now()
	for i := range monthKills {
		at := now.Add(time.Duration(rng.Int64N(int64(end.Sub(now)))))
		if i%2 == 0 {
			day := time.Date(at.Year(), at.Month(), at.Day(), 9, 0, 0, 0, time.UTC)
			if k := day.Add(time.Duration(rng.Int64N(int64(3 * time.Minute)))); k.After(now) && k.Before(end) {
				at = k
			}
		}
		kills = append(kills, at)
	}
	slices.SortFunc(kills, func(a, b time.Time) int { return a.Compare(b) })
	for _, at := range kills {
		w.clock.sleepUntil(at)
		rs.restart(servers[rng.IntN(len(servers))])
	}
	w.clock.sleepUntil(end)
	rs.wait()
	settleAll(t, w, end)
	for _, s := range servers {
		s.stop()
	}

	got := check(t, w, newLedger(), end)
	got.runs, got.kills = 1, int(rs.kills.Load())
	f := reminderFigures(t, w)
	t.Logf("%s: a month on %d replicas, %d kills (%d of them mid-post), %d look-ups of posts in doubt: %d reminders due (%d sent, %d skipped); their posts: %d owed, %d posted, %d duplicated, %d lost",
		b.name, replicas, rs.kills.Load(), min(crashes.Load(), maxCrashes), len(w.slack.api.CallsOf("conversations.history")),
		f.due, f.sent, f.skipped, f.owed, f.posted, f.duplicated, f.lost)
	for _, why := range f.why {
		t.Logf("skipped: %s", why)
	}
	record(fmt.Sprintf("%d replicas, a month of reminders, restarts (%s)", replicas, b.name), got)
}

// restarter kills servers with SIGKILL and starts them again, one at a
// time, from the test's timer and from the fake Slack's crashes alike.
type restarter struct {
	t     *testing.T
	mu    sync.Mutex
	wg    sync.WaitGroup
	kills atomic.Int64
}

// restart kills s and starts it again.
func (rs *restarter) restart(s *server) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.killLocked(s)
	rs.startLocked(s)
}

// crash kills s now and starts it again in the background, for the fake
// Slack, which must not answer s before it is dead.
func (rs *restarter) crash(s *server) {
	rs.mu.Lock()
	rs.killLocked(s)
	rs.wg.Add(1)
	go func() {
		defer rs.wg.Done()
		defer rs.mu.Unlock()
		rs.startLocked(s)
	}()
}

func (rs *restarter) killLocked(s *server) {
	s.kill()
	rs.kills.Add(1)
}

func (rs *restarter) startLocked(s *server) {
	if err := s.start(); err != nil {
		rs.t.Errorf("restart %s: %v", s.name, err)
	}
}

// wait waits for the restarts in the background.
func (rs *restarter) wait() { rs.wg.Wait() }

// monthFigures are the reminders of a run and their posts, as the summary
// of the month test gives them.
type monthFigures struct {
	// due reminders (the digests, which post through the DMs they queue,
	// left out), of which sent and skipped; why are the skipped ones'
	// kinds and the reasons golive recorded.
	due, sent, skipped int
	why                []string
	// owed are the posts of the reminders (outbox rows keyed remind:...),
	// posted those Slack shows, duplicated the extra copies, lost those
	// it does not.
	owed, posted, duplicated, lost int
}

func reminderFigures(t *testing.T, w *world) monthFigures {
	db := openRead(t, w.db)
	defer db.Close()
	var f monthFigures
	for _, r := range reminderRows(t, db) {
		if r.kind == "digest" || r.state == "pending" {
			continue
		}
		f.due++
		switch r.state {
		case "sent":
			f.sent++
		case "skipped":
			f.skipped++
		}
	}
	rows, err := db.Query(`SELECT kind, key, note FROM reminders WHERE state = 'skipped' AND kind <> 'digest' ORDER BY id`)
	if err != nil {
		t.Fatalf("read the skipped reminders: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, key, note string
		if err := rows.Scan(&kind, &key, &note); err != nil {
			t.Fatalf("read the skipped reminders: %v", err)
		}
		f.why = append(f.why, fmt.Sprintf("%s %s: %s", kind, key, note))
	}
	posted := w.slack.keyed()
	for _, r := range outboxRows(t, db) {
		if !strings.HasPrefix(r.key, "remind:") {
			continue
		}
		f.owed++
		n := posted[r.key]
		if n == 0 {
			f.lost++
			continue
		}
		f.posted++
		f.duplicated += n - 1
	}
	return f
}
