package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Bounds of the work queued after acknowledgements.
const (
	// maxLaneJobs is how many jobs one rate-limited lane (a channel's
	// posts, say) holds; the lane of work with no rate holds up to maxQueued.
	maxLaneJobs = 50
	// maxQueued is how many jobs all lanes hold together.
	maxQueued = 1000
	// maxRateLimitedTries is how many times a job that Slack answered 429
	// is tried before it is given up.
	maxRateLimitedTries = 5
)

// Reasons queued work is not done, as the log and
// golive_slack_work_dropped_total name them.
const (
	dropCollapsed   = "collapsed"
	dropSuperseded  = "superseded"
	dropQueueFull   = "queue_full"
	dropRateLimited = "rate_limited"
	dropShutdown    = "shutdown"
)

// lane is where background work waits its turn: the team it works for, the
// Web API method of its main call and, for chat.postMessage, the channel. A
// lane's jobs run in order, one at a time, when Slack's rate limit for the
// team's method (and channel) allows; a lane held by a Retry-After holds no
// other lane, and no other team's. The team is the one whose client the
// work calls with, as the client's Transport counts it (see Bot.paceTeam).
// The zero lane is for work with no rate to keep (answers through
// response_url, database work): its jobs run at once, several together.
type lane struct{ team, method, channel string }

// postLane is the lane of team's posts in channel.
func postLane(team, channel string) lane { return lane{team, "chat.postMessage", channel} }

// updateLane is the lane of team's message updates (tier 3, per workspace).
func updateLane(team string) lane { return lane{team: team, method: "chat.update"} }

func (l lane) key() rateKey { return keyFor(l.team, l.method, l.channel) }

// job is one piece of background work.
type job struct {
	lane lane
	// key collapses work: a job queued with the key of one still waiting
	// takes its place, and a full lane drops its oldest job with a key.
	// Empty for work that must not be merged.
	key string
	// run does the work. A *slack.RateLimitedError tells the queue to try
	// again after Slack's Retry-After; any other result ends the job.
	run func(ctx context.Context) error
	// dropped, when set, is called when the job will not run: to tell
	// the user, say.
	dropped func(reason string)
	tries   int
}

// workQueue runs the Slack work that follows acknowledgements: bounded
// lanes of jobs, at most maxBackground running at once, each lane paced by
// the RateLimits. One goroutine dispatches while work is queued; queued
// work costs memory, not goroutines.
type workQueue struct {
	b      *Bot
	limits *RateLimits
	drops  *sampledLog

	mu      sync.Mutex
	lanes   map[lane]*laneState
	queued  int
	running int
	looping bool
	closed  bool
	// deadline, once Close has begun, is when it stops waiting: work that
	// cannot start before it is dropped at once.
	deadline time.Time
	wake     chan struct{}
	// told are the dropped jobs whose callbacks run once mu is released.
	told []func()
}

// laneState is one lane's queue.
type laneState struct {
	jobs      []*job
	busy      int
	notBefore time.Time // after a 429 on this lane's work
}

func newWorkQueue(b *Bot, limits *RateLimits, log *slog.Logger) *workQueue {
	q := &workQueue{
		b:      b,
		limits: limits,
		lanes:  map[lane]*laneState{},
		wake:   make(chan struct{}, 1),
	}
	q.drops = newSampledLog(log, "queued Slack work not done", "more queued Slack work not done than logged one by one", b.metrics.SlackWorkDropped)
	return q
}

func (q *workQueue) lock() { q.mu.Lock() }

// unlock releases mu, then tells dropped jobs: their callbacks may queue
// more work.
func (q *workQueue) unlock() {
	told := q.told
	q.told = nil
	q.mu.Unlock()
	for _, tell := range told {
		tell()
	}
}

// capacity is how many jobs the lane holds.
func (l lane) capacity() int {
	if l.method == "" {
		return maxQueued
	}
	return maxLaneJobs
}

// concurrency is how many of a lane's jobs run at once: one for a rate
// limited lane, so that its work keeps its order and its pace.
func (l lane) concurrency() int {
	if l.method == "" {
		return maxBackground
	}
	return 1
}

// push queues j. It reports false when j was refused (the queue is full,
// or closed); the refusal is logged, counted and told to j.dropped.
func (q *workQueue) push(j *job) bool {
	q.lock()
	defer q.unlock()
	if q.closed {
		q.dropLocked(j, dropShutdown)
		return false
	}
	ls := q.lanes[j.lane]
	if ls == nil {
		ls = &laneState{}
		q.lanes[j.lane] = ls
	}
	if j.key != "" {
		for i, old := range ls.jobs {
			if old.key == j.key {
				// The newer work supersedes the queued one in its place.
				ls.jobs[i] = j
				q.b.metrics.SlackWorkDropped(dropCollapsed)
				return true
			}
		}
	}
	if len(ls.jobs) >= j.lane.capacity() || q.queued >= maxQueued {
		victim := -1
		for i, old := range ls.jobs {
			if old.key != "" {
				victim = i
				break
			}
		}
		if victim < 0 {
			q.dropLocked(j, dropQueueFull)
			return false
		}
		old := ls.jobs[victim]
		ls.jobs = append(ls.jobs[:victim:victim], ls.jobs[victim+1:]...)
		q.queued--
		q.b.wg.Done()
		q.dropLocked(old, dropSuperseded)
	}
	ls.jobs = append(ls.jobs, j)
	q.queued++
	q.b.wg.Add(1)
	q.startLocked()
	return true
}

// dropLocked logs and counts a job that will not run, and tells it once
// mu is released.
func (q *workQueue) dropLocked(j *job, reason string) {
	q.drops.add(reason, "method", j.lane.method, "team", j.lane.team, "queued", q.queued)
	if j.dropped != nil {
		q.told = append(q.told, func() { j.dropped(reason) })
	}
}

// startLocked makes sure the dispatcher runs, and wakes it.
func (q *workQueue) startLocked() {
	q.b.metrics.SlackWorkQueued(q.queued)
	if !q.looping {
		q.looping = true
		q.b.wg.Add(1)
		go q.loop()
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// loop dispatches queued jobs as lanes and slots allow, while any are
// queued.
func (q *workQueue) loop() {
	defer q.b.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, done := q.dispatch()
		if done {
			return
		}
		var due <-chan time.Time
		if !next.IsZero() {
			timer.Reset(max(time.Until(next), time.Millisecond))
			due = timer.C
		}
		select {
		case <-q.wake:
		case <-due:
		case <-q.b.background.Done():
			q.close()
			return
		}
	}
}

// dispatch starts every job whose lane is ready and has room, and returns
// when the next waiting lane will be ready (zero when only a finishing job
// can change anything); done when nothing is queued.
func (q *workQueue) dispatch() (next time.Time, done bool) {
	q.lock()
	defer q.unlock()
	if q.queued == 0 {
		q.looping = false
		return time.Time{}, true
	}
	now := q.limits.now()
	for l, ls := range q.lanes {
		if len(ls.jobs) == 0 {
			if ls.busy == 0 && !ls.notBefore.After(now) {
				delete(q.lanes, l)
			}
			continue
		}
		for len(ls.jobs) > 0 && ls.busy < l.concurrency() && q.running < maxBackground {
			at := ls.notBefore
			if l.method != "" {
				if r := q.limits.readyAt(l.key(), now); r.After(at) {
					at = r
				}
			}
			if !q.deadline.IsZero() && at.After(q.deadline) {
				for _, j := range ls.jobs {
					q.queued--
					q.b.wg.Done()
					q.dropLocked(j, dropShutdown)
				}
				ls.jobs = nil
				break
			}
			if at.After(now) {
				if next.IsZero() || at.Before(next) {
					next = at
				}
				break
			}
			j := ls.jobs[0]
			ls.jobs = ls.jobs[1:]
			ls.busy++
			q.running++
			q.queued--
			go q.work(l, ls, j)
		}
	}
	q.b.metrics.SlackWorkQueued(q.queued)
	if q.queued == 0 {
		q.looping = false
		return time.Time{}, true
	}
	return next, false
}

// work runs j, then puts it back at the head of its lane if Slack asked to
// wait, or ends it.
func (q *workQueue) work(l lane, ls *laneState, j *job) {
	err := q.run(j)
	q.lock()
	defer q.unlock()
	ls.busy--
	q.running--
	var limited *slack.RateLimitedError
	switch {
	case !errors.As(err, &limited):
		q.b.wg.Done()
	case q.closed:
		q.b.wg.Done()
		q.dropLocked(j, dropShutdown)
	default:
		wait := max(limited.RetryAfter, time.Second)
		if l.method != "" {
			// Held by the transport already when it saw Slack's 429; this
			// covers a 429 seen on another method's call.
			q.limits.hold(l.key(), wait)
		}
		ls.notBefore = q.limits.now().Add(wait)
		j.tries++
		if j.tries >= maxRateLimitedTries {
			q.b.wg.Done()
			q.dropLocked(j, dropRateLimited)
			break
		}
		ls.jobs = append([]*job{j}, ls.jobs...)
		q.queued++
	}
	// Wake the dispatcher: to start what waited for this slot, or to stop.
	if q.queued > 0 || q.looping {
		q.startLocked()
	}
}

// run runs j's work; a panic ends the job, not the process.
func (q *workQueue) run(j *job) (err error) {
	defer q.b.survive("background work")
	return j.run(q.b.background)
}

// closing tells the queue that Close waits until deadline at most: work
// held past it (by a long Retry-After) is dropped rather than waited for.
func (q *workQueue) closing(deadline time.Time) {
	q.lock()
	defer q.unlock()
	q.deadline = deadline
	if q.queued > 0 {
		q.startLocked()
	}
}

// close drops every queued job (the bot is shutting down); jobs running
// finish on their own.
func (q *workQueue) close() {
	q.lock()
	defer q.unlock()
	q.closed = true
	q.looping = false
	for l, ls := range q.lanes {
		for _, j := range ls.jobs {
			q.queued--
			q.b.wg.Done()
			q.dropLocked(j, dropShutdown)
		}
		ls.jobs = nil
		delete(q.lanes, l)
	}
	q.b.metrics.SlackWorkQueued(q.queued)
	q.drops.close()
}
