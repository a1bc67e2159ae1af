package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/schedule"
)

const (
	// maxRefreshFailures is how many times in a row a refresh is retried
	// (after slack-go's own retries) before it waits for the next change.
	maxRefreshFailures = 6
	// maxNotes is how many "who did what" notes a refresh shows together.
	maxNotes = 3
	// noteMemory is how long the last note shown on a launch's messages is
	// kept for refreshes that bring no news (navigation, undo), and
	// maxNoteLaunches bounds how many launches' notes one generation holds.
	noteMemory      = time.Hour
	maxNoteLaunches = 1000
)

// Slack errors after which a message cannot be updated again: its record
// is dropped.
var messageGone = map[string]bool{
	"message_not_found":   true,
	"cant_update_message": true,
	"channel_not_found":   true,
	"is_archived":         true,
	"not_in_channel":      true,
}

// msgKey identifies a posted message.
type msgKey struct{ channel, ts string }

func keyOf(m launch.Message) msgKey { return msgKey{m.ChannelID, m.TS} }

// refresher keeps the messages of each launch up to date with chat.update.
// Changes to a launch within delay of each other become one update per
// message, sent with the state stored at send time; a launch has at most one
// refresh in flight in this process, and a refresh that finds the launch
// changed once its updates are sent (by another replica, whose own refresh
// may have landed first) draws again, so an older state never stays over a
// newer one. A
// failed update is retried with backoff, and with the next change: the
// stored state is never at risk, only the message's freshness. A launch's
// job is deleted once it has nothing left to send, so jobs are as many as
// the launches with a refresh pending or in flight.
type refresher struct {
	b     *Bot
	delay time.Duration

	mu     sync.Mutex
	jobs   map[int64]*refreshJob
	closed bool
	// lastNotes are the notes last shown on each launch's messages.
	lastNotes *recent[int64, string]
}

// refreshJob is the pending and in-flight refresh work of one launch.
type refreshJob struct {
	launchID int64
	// team is the launch's workspace, whose chat.update lane the refresh
	// waits in.
	team string
	// all asks for every live message of the launch.
	all bool
	// targets are messages to refresh whatever their age: the one clicked.
	targets map[msgKey]launch.Message
	// notes say who did what since the last refresh.
	notes    []string
	timer    *time.Timer
	due      time.Time
	running  bool
	failures int
}

func newRefresher(b *Bot, delay time.Duration) *refresher {
	return &refresher{b: b, delay: delay, jobs: map[int64]*refreshJob{}, lastNotes: newRecent[int64, string](noteMemory, maxNoteLaunches)}
}

// refreshLaunch refreshes every live message of a launch of team, with a
// note saying who changed what.
func (b *Bot) refreshLaunch(team string, launchID int64, note string) {
	b.refresh.schedule(team, launchID, true, nil, note, b.refresh.delay)
}

// schedule asks for a refresh of launch's messages (all live ones, and
// target) within delay; team is the launch's workspace.
func (r *refresher) schedule(team string, launchID int64, all bool, target *launch.Message, note string, delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs[launchID]
	if j == nil {
		j = &refreshJob{launchID: launchID, team: team, targets: map[msgKey]launch.Message{}}
		r.jobs[launchID] = j
	}
	r.b.metrics.RefreshesPending(len(r.jobs))
	j.all = j.all || all
	if target != nil {
		j.targets[keyOf(*target)] = *target
	}
	if note != "" {
		j.notes = append(j.notes, note)
		if len(j.notes) > maxNotes {
			j.notes = j.notes[len(j.notes)-maxNotes:]
		}
	}
	r.arm(j, delay)
}

// arm sets j's timer to fire within delay; r.mu is held. A running job is
// re-armed by run when it finishes. Once closing, nothing waits longer than
// the gathering delay, and nothing less: a refresh a full lane pushed out
// must not push out another at once, round and round until the close
// timeout.
func (r *refresher) arm(j *refreshJob, delay time.Duration) {
	if r.closed {
		delay = r.delay
	}
	if j.running {
		return
	}
	due := time.Now().Add(delay)
	if j.timer != nil {
		// Sooner than planned (navigation): move the timer if it has not fired.
		if due.Before(j.due) && j.timer.Stop() {
			j.due = due
			j.timer.Reset(delay)
		}
		return
	}
	j.due = due
	r.b.wg.Add(1)
	j.timer = time.AfterFunc(delay, func() {
		defer r.b.wg.Done()
		r.fire(j)
	})
}

// fire queues j's refresh in its team's chat.update lane. Until it has run, j
// gathers what comes in: however long Slack's Retry-After, a launch has one
// refresh queued, which sends the state stored when it runs.
func (r *refresher) fire(j *refreshJob) {
	r.mu.Lock()
	j.timer = nil
	j.running = true
	r.mu.Unlock()
	r.b.work.push(&job{
		lane: updateLane(r.b.paceTeam(j.team)),
		key:  "refresh:" + strconv.FormatInt(j.launchID, 10),
		run: func(context.Context) error {
			r.run(j)
			return nil
		},
		dropped: func(reason string) {
			if reason == dropShutdown {
				return
			}
			// Its changes stay gathered in j: try again later.
			r.mu.Lock()
			defer r.mu.Unlock()
			j.running = false
			r.arm(j, max(r.delay, backoff(maxRefreshFailures)))
		},
	})
}

// run sends one refresh of j, then re-arms it for what came in meanwhile
// or for a retry.
func (r *refresher) run(j *refreshJob) {
	r.mu.Lock()
	all, targets := j.all, j.targets
	j.all, j.targets = false, map[msgKey]launch.Message{}
	now := time.Now()
	note, _ := r.lastNotes.get(j.launchID, now)
	if len(j.notes) > 0 {
		note = strings.Join(j.notes, " · ")
		j.notes = nil
		r.lastNotes.put(j.launchID, note, now)
	}
	r.mu.Unlock()

	failed, failedAll, limited, stale := r.b.refreshMessages(r.b.background, j.launchID, all, targets, note)

	r.mu.Lock()
	defer r.mu.Unlock()
	j.running = false
	delay := r.delay
	if limited {
		// Slack's Retry-After, not a failure: the queue holds the lane
		// until it ends, and the changes wait in j.
		j.all = j.all || failedAll
		for k, m := range failed {
			if _, newer := j.targets[k]; !newer {
				j.targets[k] = m
			}
		}
	} else if len(failed) > 0 || failedAll {
		j.failures++
		if j.failures > maxRefreshFailures || r.closed {
			r.b.log.Warn("giving up refreshing messages until the next change", "launch", j.launchID, "failures", j.failures)
			j.failures = 0
		} else {
			j.all = j.all || failedAll
			for k, m := range failed {
				if _, newer := j.targets[k]; !newer {
					j.targets[k] = m
				}
			}
			delay = max(delay, backoff(j.failures))
		}
	} else {
		j.failures = 0
	}
	// What was drawn from a state changed since is drawn again, as any
	// change is: it is no failure.
	for k, m := range stale {
		if _, newer := j.targets[k]; !newer {
			j.targets[k] = m
		}
	}
	if j.all || len(j.targets) > 0 {
		r.arm(j, delay)
		return
	}
	if len(j.notes) == 0 {
		delete(r.jobs, j.launchID)
		r.b.metrics.RefreshesPending(len(r.jobs))
	}
}

// pending is how many launches have a refresh pending or in flight.
func (r *refresher) pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.jobs)
}

// backoff is the wait before the n-th retry of a failed refresh: 1 s, 2 s,
// 4 s ... up to a minute (slack-go has already honoured any Retry-After).
func backoff(n int) time.Duration {
	return min(time.Second<<(n-1), time.Minute)
}

// flush fires every pending refresh now; Close calls it.
func (r *refresher) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, j := range r.jobs {
		if j.timer != nil && j.timer.Stop() {
			j.timer = nil
			j.due = time.Now()
			go func() {
				defer r.b.wg.Done()
				r.fire(j)
			}()
		}
	}
}

// refreshMessages redraws a launch's messages from its stored state: the
// targets, and with all its live messages. It returns what failed and is
// worth retrying, and whether Slack rate-limited the updates (it stops at
// the first 429: the rest would be held back too); and stale, the messages
// it updated from a state that has changed since: another replica's
// refresh may have drawn the newer state and landed first.
func (b *Bot) refreshMessages(ctx context.Context, launchID int64, all bool, targets map[msgKey]launch.Message, note string) (failed map[msgKey]launch.Message, failedAll, limited bool, stale map[msgKey]launch.Message) {
	ctx, cancel := context.WithTimeout(ctx, slackTimeout)
	defer cancel()
	log := b.log.With("launch", launchID)
	// The version is read before the launch: the launch drawn is of that
	// version or newer, so a version unchanged after the updates means
	// nothing newer was left undrawn.
	version, err := b.store.LaunchVersion(ctx, launchID)
	if err != nil {
		log.Error("refresh: read the launch's version", "err", err)
		return targets, all, false, nil
	}
	l, err := b.store.LaunchByID(ctx, launchID)
	if err != nil {
		log.Error("refresh: load launch", "err", err)
		return targets, all, false, nil
	}
	if all {
		b.noticeIfStale(ctx, log, l)
	}
	msgs := map[msgKey]launch.Message{}
	if all {
		live, err := b.store.LiveMessages(ctx, launchID, liveMessages)
		if err != nil {
			log.Error("refresh: list messages", "err", err)
			return targets, true, false, nil
		}
		for _, m := range live {
			msgs[keyOf(m)] = m
		}
	}
	for k, m := range targets {
		msgs[k] = m
	}
	failed = map[msgKey]launch.Message{}
	drawn := map[msgKey]launch.Message{}
	now := b.now()
	var names render.Names
	for _, m := range msgs {
		// Only messages with checkboxes name owners in plain text.
		if m.Kind != launch.MessageStatus {
			names = b.ownerNames(ctx, log, l)
			break
		}
	}
	for k, m := range msgs {
		if limited {
			failed[k] = m
			continue
		}
		msg := b.renderLive(l, m, note, now, names)
		_, _, _, err := b.api(ctx, l.TeamID).UpdateMessageContext(ctx, m.ChannelID, m.TS, messageOptions(msg)...)
		var rl *slack.RateLimitedError
		switch {
		case err == nil:
			drawn[k] = m
		case errors.As(err, &rl):
			log.Info("refresh: rate limited; waiting for Slack's Retry-After", "team", l.TeamID, "retry_after", rl.RetryAfter.String())
			b.limits.hold(updateLane(b.paceTeam(l.TeamID)).key(), rl.RetryAfter)
			limited = true
			failed[k] = m
		case messageGone[slackErrorCode(err)]:
			log.Info("refresh: message gone; forgetting it", "ts", m.TS, "slack_error", slackErrorCode(err))
			if err := b.store.DeleteMessage(ctx, m.ChannelID, m.TS); err != nil {
				log.Error("refresh: forget message", "err", err)
			}
		default:
			log.Warn("refresh: update message", "ts", m.TS, "err", err)
			failed[k] = m
		}
	}
	if len(drawn) > 0 {
		// Unable to tell, it draws them again, which is never wrong.
		if latest, err := b.store.LaunchVersion(ctx, launchID); err != nil || latest != version {
			log.Debug("refresh: the launch changed while its messages were drawn; drawing them again",
				"version", version, "latest", latest, "err", err)
			return failed, false, limited, drawn
		}
	}
	return failed, false, limited, nil
}

// renderLive draws a live message from the launch's state, naming item
// owners with names.
func (b *Bot) renderLive(l *launch.Launch, m launch.Message, note string, now time.Time, names render.Names) render.Message {
	switch m.Kind {
	case launch.MessageStatus:
		return render.Status(l, b.reminderTime(), now)
	case launch.MessageReminder:
		return b.renderReminder(l, m, names)
	}
	v, err := render.ParseView(m.View)
	if err != nil {
		v = render.View{}
	}
	return render.ChecklistNamed(l, v, note, names)
}

// renderReminder redraws a window's reminder with the tasks' current done
// states, recomposed as at the time it was posted: it stays the reminder of
// its window, with the countdown of its day.
func (b *Bot) renderReminder(l *launch.Launch, m launch.Message, names render.Names) render.Message {
	r := schedule.Reminder{LaunchID: l.ID, Kind: schedule.KindWindow, Key: m.View}
	c, err := schedule.Compose(l, r, b.reminderTime(), m.PostedAt)
	if err != nil {
		return render.Notice("This reminder's time window is no longer in the checklist. `checklist` shows the launch's tasks.")
	}
	return render.ReminderMessage(l, c, names)
}
