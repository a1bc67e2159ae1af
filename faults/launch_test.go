//go:build faults

package faults

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// People of the fake workspace.
const (
	creator = "U0CREATOR"
	ownerA  = "U0OWNA"
	ownerB  = "U0OWNB"
	dev1    = "U0DEV1"
	dev2    = "U0DEV2"
)

// roles are the approver roles the launch gets, with their holders.
var roles = []struct{ name, holder string }{
	{"Release Manager", "U0REL"},
	{"QA Lead", "U0QA"},
	{"SRE Lead", "U0SRE"},
}

// seedChecklist is the checklist every launch imports (from ../shared/seeds).
var seedChecklist = filepath.Join("testdata", "seed000.md")

// scenario is one run: a launch driven from import to decision, and through
// its reminders, while things fail.
type scenario struct {
	mode      string
	seed      uint64
	instances int
	history   bool
	// rate is how fast golive's clock runs; start is its time at the start.
	rate  float64
	start time.Time
	// launchDate is the launch's date; the run lasts until golive's time
	// reaches until.
	launchDate string
	until      time.Duration
	// kills are how many SIGKILLs the run gets, at steps chosen by seed;
	// restart says whether a killed server is started again.
	kills   int
	restart bool
	// fault fails the first call of each of golive's posts from the import
	// on; Down refuses every connection for downFor of golive's time after
	// the ticks instead.
	fault   Fault
	downFor time.Duration
}

// launchRun is a scenario being run.
type launchRun struct {
	t       *testing.T
	sc      scenario
	w       *world
	servers []*server
	c       *client
	led     *ledger
	rng     *rand.Rand
	// killAt are the steps at which a server is killed; step counts them.
	// mu guards them, and rng, for the clients ticking at once.
	mu     sync.Mutex
	killAt []int
	step   int
	kills  int
	// items are the open items of the imported launch, by number, with
	// their section's title.
	items map[int]string
	// told are what the run expects golive to have told: the outbox kinds
	// of the changes acknowledged.
	told map[string]int
	// clicks are the changes made by clicks, recorded once the run is over.
	clicks []clickChange
}

// runScenario runs sc and checks it, adding its tally to the summary.
func runScenario(t *testing.T, sc scenario) {
	dir := t.TempDir()
	w := &world{t: t, dir: dir, db: filepath.Join(dir, "golive.db"), history: sc.history,
		clock: newClock(sc.start, sc.rate), slack: newFakeSlack(t)}
	r := &launchRun{t: t, sc: sc, w: w, led: newLedger(), rng: rand.New(rand.NewPCG(sc.seed, 1)), told: map[string]int{}}
	w.slack.setPauser(r.pauseServer)
	for i := range sc.instances {
		r.servers = append(r.servers, w.startServer(fmt.Sprintf("golive%d", i+1)))
	}
	r.c = newClient(w.slack, r.servers)
	t.Cleanup(func() {
		for _, s := range r.servers {
			if s.alive() {
				s.kill()
			}
		}
		if t.Failed() || os.Getenv("GOLIVE_FAULTS_VERBOSE") != "" {
			t.Logf("seed %d; logs and database in %s\n%s", sc.seed, dir, describe(t, w.db))
			keepLogs(t, dir)
		}
	})

	r.drive()
	end := sc.start.Add(sc.until)
	r.waitUntil(end)
	r.settle(end)
	for _, s := range r.servers {
		s.stop()
	}
	r.recordClicks()
	got := check(t, w, r.led, end)
	got.runs, got.kills = 1, r.kills
	r.checkTold()
	if sc.fault == Paused && w.slack.faults()[Paused] == 0 {
		t.Errorf("no server was stopped while sending a DM")
	}
	record(sc.mode, got)
}

// keepLogs copies a failed run's logs where make faults leaves them.
func keepLogs(t *testing.T, dir string) {
	out := os.Getenv("GOLIVE_FAULTS_LOGS")
	if out == "" {
		return
	}
	dst := filepath.Join(out, strings.ReplaceAll(t.Name(), "/", "_"))
	_ = os.MkdirAll(dst, 0o755)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
			_ = os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
		}
	}
}

// drive runs the launch from import to the decision, the kills planned by
// seed falling on its steps.
func (r *launchRun) drive() {
	t := r.t
	steps := 40
	for range r.sc.kills {
		r.killAt = append(r.killAt, 1+r.rng.IntN(steps))
	}
	slices.Sort(r.killAt)
	if r.sc.fault != NoFault && r.sc.fault != Down {
		r.w.slack.setFault(r.sc.fault)
	}

	r.importLaunch()
	r.items = openItems(t, r.w.db)

	// The roles and their holders are asked for until they stand: the
	// approvals below need them.
	for _, role := range roles {
		r.must(creator, fmt.Sprintf(`role add "%s"`, role.name), inChannel, auditKey{creator, "role-add", "role " + role.name, ""}, "already exists")
	}
	for _, role := range roles {
		r.must(creator, fmt.Sprintf(`role "%s" <@%s>`, role.name, role.holder), inChannel, auditKey{creator, "role", "role " + role.name, ""}, "already")
	}
	r.change(creator, "owner Security <@"+ownerA+">", inChannel, auditKey{creator, "owner", "section Security", ""})
	r.change(creator, "owner Infrastructure <@"+ownerB+">", inChannel, auditKey{creator, "owner", "section Infrastructure", ""})

	// Two of the Security items fall due early and stay open: their owner
	// gets the daily overdue DM.
	security := r.sectionItems("Security", 3)
	for _, n := range security[:2] {
		r.change(creator, fmt.Sprintf("due %d 2027-03-03", n), prefix("Item"), auditKey{creator, "due", fmt.Sprintf("item %d", n), ""})
		delete(r.items, n)
	}
	// A Security item is not applicable, which its 100% gate makes the
	// role holders confirm by DM.
	na := security[2]
	delete(r.items, na)
	if r.change(ownerA, fmt.Sprintf(`na %d "Not in this release"`, na), prefix(fmt.Sprintf("Item %d is a P0 item or in a 100%% gate, so not applicable needs a role holder's confirmation: golive asked", na)),
		auditKey{ownerA, "na", fmt.Sprintf("item %d", na), ""}) {
		r.told["na"] += len(roles)
	}

	// Ticks from several people at once, each a client of its own, by
	// command and by checkbox, and notes.
	open := r.pickItems(18)
	tickers := []string{creator, dev1, dev2}
	var clients sync.WaitGroup
	for c := range tickers {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := c; i < len(open); i += len(tickers) {
				r.tick(tickers[c], open[i], i)
			}
		}()
	}
	clients.Wait()
	if r.sc.fault == Down {
		// Slack goes away while the approval DMs are due.
		go r.w.slack.down(r.w.clock.real(r.sc.downFor))
	}

	// Approvals by DM buttons and a modal, then the decision.
	r.must(creator, "approvals", inChannel, auditKey{creator, "approvals-request", "approvals-request", ""}, "")
	r.told["ask"] += len(roles)
	for i, role := range roles {
		r.answer(role.name, role.holder, i == 1)
	}
	r.must(creator, "decide", emptyAnswer, auditKey{creator, "announce", "announce", ""}, "")
	r.told["announce"]++
}

// tick has user (or the item's section owner, who alone may) tick item n,
// by checkbox for odd i, else by command, with a note for every fourth.
func (r *launchRun) tick(user string, n, i int) {
	if owner := r.sectionOwner(n); owner != "" {
		user = owner
	}
	if i%2 == 1 && r.click(user, n) {
		return
	}
	r.change(user, fmt.Sprintf("tick %d", n), prefix("You ticked"), auditKey{user, "tick", fmt.Sprintf("item %d", n), ""})
	if i%4 == 0 {
		// Notes take the section's owner, or the creator.
		by := r.sectionOwner(n)
		if by == "" {
			by = creator
		}
		text := fmt.Sprintf("evidence-%d-%d", r.sc.seed, n)
		r.change(by, fmt.Sprintf("note %d %s", n, text), prefix("You added a note"), auditKey{by, "note", fmt.Sprintf("item %d", n), text})
	}
}

// importLaunch runs `golive import` until the launch exists; in a quarter
// of the kill runs, the first import is killed at a point the seed picks.
func (r *launchRun) importLaunch() {
	var killAfter time.Duration
	if r.sc.kills > 0 && r.rng.IntN(4) == 0 {
		killAfter = time.Duration(1+r.rng.IntN(80)) * time.Millisecond
	}
	k := auditKey{creator, "create", "launch Faults launch", ""}
	for range 3 {
		out, code := r.w.importChecklist(seedChecklist, "Faults launch", r.sc.launchDate, "14:00", killAfter)
		switch {
		case code == 0 || code == 1:
			r.led.record(k, true)
			r.told["import"]++
			return
		case code == -1:
			r.kills++
			r.led.record(k, false)
		case strings.Contains(out, "already has"):
			// The killed import had created it.
			r.told["import"]++
			return
		default:
			r.t.Fatalf("golive import exited %d: %s", code, out)
		}
		killAfter = 0
	}
	r.t.Fatalf("golive import did not create the launch in 3 tries")
}

// answerCheck tells from an acknowledged command's answer whether it made
// its change.
type answerCheck func(reply) bool

func inChannel(a reply) bool   { return a.responseType == "in_channel" }
func emptyAnswer(a reply) bool { return a.text == "" }
func prefix(p string) answerCheck {
	return func(a reply) bool { return strings.HasPrefix(a.text, p) }
}

// change sends a command that makes the change k, possibly killing a
// server meanwhile, records it in the ledger and tells whether it was
// acknowledged as made.
func (r *launchRun) change(user, text string, made answerCheck, k auditKey) bool {
	a := r.send(func() reply { return r.c.command(user, text) })
	ok := a.acked && made(a)
	if a.acked && !ok && !strings.Contains(a.text, "nothing changed") {
		r.t.Logf("%s: /golive %s: %q", user, text, a.text)
	}
	r.led.record(k, ok)
	return ok
}

// must sends a command until its change is acknowledged, or its answer
// contains stands (a retry finding the change made). Killed servers are
// started again meanwhile, or others take the request.
func (r *launchRun) must(user, text string, made answerCheck, k auditKey, stands string) {
	for range 10 {
		a := r.send(func() reply { return r.c.command(user, text) })
		ok := a.acked && made(a)
		r.led.record(k, ok)
		if ok || (a.acked && stands != "" && strings.Contains(a.text, stands)) {
			return
		}
		if a.acked {
			r.t.Logf("%s: /golive %s: %q", user, text, a.text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("/golive %s was not acknowledged in 10 tries", text)
}

// send is one step of the run: it sends the request, and when the plan
// kills a server at this step, kills it while the request is in flight and
// starts it again.
func (r *launchRun) send(req func() reply) reply {
	r.mu.Lock()
	r.step++
	kill := slices.Contains(r.killAt, r.step)
	wait := time.Duration(r.rng.IntN(20)) * time.Millisecond
	r.mu.Unlock()
	if !kill {
		return req()
	}
	done := make(chan reply, 1)
	go func() { done <- req() }()
	time.Sleep(wait)
	r.killOne()
	return <-done
}

// killOne kills a server chosen by seed, and starts it again when the
// scenario says so; without restarts, the last live server is spared.
func (r *launchRun) killOne() {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.servers[r.rng.IntN(len(r.servers))]
	live := 0
	for _, s := range r.servers {
		if s.alive() {
			live++
		}
	}
	if !s.alive() || (!r.sc.restart && live == 1) {
		return
	}
	s.kill()
	r.kills++
	if r.sc.restart {
		if err := s.start(); err != nil {
			r.t.Errorf("restart after a kill: %v", err)
		}
	}
}

// pauseServer stops the server named name with SIGSTOP (Paused) and
// returns what resumes it, unless no other server would be left running
// to take its posts over.
func (r *launchRun) pauseServer(name string) (resume func(), ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var target *server
	others := 0
	for _, s := range r.servers {
		switch {
		case s.name == name:
			target = s
		case s.alive() && !s.paused.Load():
			others++
		}
	}
	if target == nil || others == 0 || !target.pause() {
		return nil, false
	}
	return target.resume, true
}

// click ticks item n on a checklist message by checkbox, as user; false
// when no checklist message shows it.
func (r *launchRun) click(user string, n int) bool {
	section := r.items[n]
	r.send(func() reply { return r.c.command(user, `checklist `+section) })
	msg, ok := r.waitMessage(func(m *message) bool {
		return m.Channel == channel && m.Key == "" && strings.Contains(m.Blocks, `"checkboxes"`) && strings.Contains(m.Blocks, fmt.Sprintf(`"value":"%d"`, n))
	}, 3*time.Second)
	if !ok {
		return false
	}
	payload, ok := r.c.tickClick(user, msg, n)
	if !ok {
		return false
	}
	r.clicked(auditKey{user, "tick", fmt.Sprintf("item %d", n), ""}, payload)
	return true
}

// clicked sends the click payload, a change k, and records it to be
// checked once the run is over; it tells whether it was acknowledged.
func (r *launchRun) clicked(k auditKey, payload map[string]any) bool {
	a := r.send(func() reply { return r.c.interact(payload) })
	responseURL, _ := payload["response_url"].(string)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clicks = append(r.clicks, clickChange{k: k, acked: a.acked, responseURL: responseURL})
	return a.acked
}

// click is a change made by a click (a checkbox, a button), whose outcome
// is known once the run is over: Slack's acknowledgement of a click comes
// whether or not its change was stored, and a click that failed, or whose
// outcome was not known in time, says so later at its response_url.
type clickChange struct {
	k           auditKey
	acked       bool
	responseURL string
}

// recordClicks records the clicks in the ledger: made when acknowledged
// with nothing said at their response_url; may or may not have been
// stored (never twice) when something was said there.
func (r *launchRun) recordClicks() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.clicks {
		r.led.record(c.k, c.acked && !r.w.slack.respondedTo(c.responseURL))
	}
}

// answer has holder answer the approval DM of role: Approve, or Approve
// with conditions through its modal.
func (r *launchRun) answer(role, holder string, withConditions bool) {
	dm := "D" + strings.TrimPrefix(holder, "U")
	k := auditKey{holder, "verdict", "role " + role, ""}
	for range 3 {
		msg, ok := r.waitMessage(func(m *message) bool {
			return m.Channel == dm && strings.HasPrefix(m.Key, "ask:") && strings.Contains(m.Blocks, "approval:approve")
		}, 20*time.Second)
		if !ok {
			// Its send was cut off and, without history, never tried
			// again: the creator asks again, as people would.
			r.t.Logf("the approval DM of %s did not reach %s; asking again", role, holder)
			r.must(creator, "approvals", inChannel, auditKey{creator, "approvals-request", "approvals-request", ""}, "")
			r.told["ask"] += len(roles)
			continue
		}
		trigger := r.c.trigger()
		if !withConditions {
			click, ok := r.c.buttonClick(holder, msg, "approval:approve", trigger)
			if !ok {
				r.t.Fatalf("the approval DM has no Approve button: %s", msg.Blocks)
			}
			if r.clicked(k, click) {
				return
			}
			continue
		}
		click, ok := r.c.buttonClick(holder, msg, "approval:conditions", trigger)
		if !ok {
			r.t.Fatalf("the approval DM has no conditions button: %s", msg.Blocks)
		}
		if a := r.send(func() reply { return r.c.interact(click) }); !a.acked {
			continue
		}
		view, ok := r.waitView(trigger)
		if !ok {
			continue
		}
		a := r.send(func() reply { return r.c.interact(submission(holder, view, "only after the load test")) })
		ok = a.acked && !strings.Contains(string(a.body), "errors")
		r.led.record(k, ok)
		if ok {
			return
		}
	}
	r.t.Errorf("%s could not answer for %s in 3 tries", holder, role)
}

// waitMessage waits up to d for a message at the fake that keep accepts.
func (r *launchRun) waitMessage(keep func(*message) bool, d time.Duration) (message, bool) {
	return waitFor(r.w.slack, keep, d)
}

// waitView waits for the modal a click with trigger opened.
func (r *launchRun) waitView(trigger string) (openedView, bool) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if v, ok := r.w.slack.viewFor(trigger); ok {
			return v, true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return openedView{}, false
}

// pickItems returns n open items chosen by seed, each once.
func (r *launchRun) pickItems(n int) []int {
	var all []int
	for num := range r.items {
		all = append(all, num)
	}
	slices.Sort(all)
	r.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return all[:min(n, len(all))]
}

// sectionItems returns the first n open items of a section.
func (r *launchRun) sectionItems(section string, n int) []int {
	var out []int
	for num, title := range r.items {
		if title == section {
			out = append(out, num)
		}
	}
	slices.Sort(out)
	return out[:min(n, len(out))]
}

// sectionOwner is who owns item n's section in the run ("" for nobody).
func (r *launchRun) sectionOwner(n int) string {
	switch r.items[n] {
	case "Security":
		return ownerA
	case "Infrastructure":
		return ownerB
	}
	return ""
}

// waitUntil lets golive's time reach end, killing servers at the instants
// the seed picked for the kills left over from the steps.
func (r *launchRun) waitUntil(end time.Time) {
	now := r.w.clock.now()
	var at []time.Time
	for _, s := range r.killAt {
		if s <= r.step || !end.After(now) {
			continue
		}
		// Half the kills fall within three minutes after the reminder
		// time of a day, when reminders are being posted.
		kill := now.Add(time.Duration(r.rng.Int64N(int64(end.Sub(now)))))
		if r.rng.IntN(2) == 0 {
			day := time.Date(kill.Year(), kill.Month(), kill.Day(), 9, 0, 0, 0, time.UTC)
			if k := day.Add(time.Duration(r.rng.Int64N(int64(3 * time.Minute)))); k.After(now) && k.Before(end) {
				kill = k
			}
		}
		at = append(at, kill)
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	for _, a := range at {
		r.w.clock.sleepUntil(a)
		r.killOne()
	}
	r.w.clock.sleepUntil(end)
}

// settle waits (in real time, bounded) until nothing due by end is left to
// deliver.
func (r *launchRun) settle(end time.Time) { settleAll(r.t, r.w, end) }

// checkTold checks that what the acknowledged changes had to tell was
// queued: the import notice, the approval DMs, the announcement.
func (r *launchRun) checkTold() {
	kinds := outboxKinds(r.t, r.w.db)
	for kind, want := range r.told {
		if kinds[kind] < want {
			r.t.Errorf("the outbox holds %d posts of kind %s; the acknowledged changes owe %d", kinds[kind], kind, want)
		}
	}
}

// openItems reads the open items of the launch, with their section's title.
func openItems(t testing.TB, path string) map[int]string {
	db := openRead(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT i.number, s.title FROM items i
		JOIN sections s ON s.launch_id = i.launch_id AND s.idx = i.section_idx WHERE i.done = 0`)
	if err != nil {
		t.Fatalf("read the items: %v", err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var n int
		var title string
		if err := rows.Scan(&n, &title); err != nil {
			t.Fatalf("read the items: %v", err)
		}
		out[n] = title
	}
	return out
}
