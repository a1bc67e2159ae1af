// Package bot is golive's Slack adapter: it takes the slash commands,
// interactions and events its transports verified and parsed (slackhttp,
// Socket Mode, the console) at its entry points, checks permissions through
// the launch domain, stores changes before it acknowledges them, and talks
// back through the Web API after the acknowledgement. Rendering is package
// render's; persistence is the Store's.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
	"github.com/golive/golive/internal/schedule"
	"github.com/golive/golive/probe"
)

// Store is what the bot needs from persistence: launches, the messages it
// posted about them so that changes refresh those messages in place, and
// what approvals keep.
type Store interface {
	launch.Store
	ApprovalStore
	// LaunchesOfUser returns the team's launches that are not archived
	// and that user takes part in, oldest first.
	LaunchesOfUser(ctx context.Context, teamID, user string) ([]*launch.Launch, error)
	// SaveMessage records a posted message, or updates the record of the
	// message with the same channel and ts.
	SaveMessage(ctx context.Context, m launch.Message) error
	// Message returns the record of a posted message, or ENOTFOUND.
	Message(ctx context.Context, channelID, ts string) (launch.Message, error)
	// LaunchVersion returns a launch's version, which every stored change
	// of it raises, whichever process makes it.
	LaunchVersion(ctx context.Context, id int64) (int64, error)
	// LiveMessages returns a launch's most recently posted messages, newest
	// first, at most limit of them.
	LiveMessages(ctx context.Context, launchID int64, limit int) ([]launch.Message, error)
	// DeleteMessage forgets a message (deleted in Slack, say); it is not an
	// error when there is no such record.
	DeleteMessage(ctx context.Context, channelID, ts string) error
	// TroubledReminders returns a launch's reminders whose posts failed and
	// are waiting for a retry, or were given up on.
	TroubledReminders(ctx context.Context, launchID int64) ([]schedule.Reminder, error)
	// UpdateOnce is Update for a verified request that may take effect
	// once: it records the request's identity (its team and trigger id) in
	// the same transaction, and tells fn whether it was recorded before,
	// by any process on the database, restarted or not.
	UpdateOnce(ctx context.Context, id int64, team, request string,
		fn func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error)) (*launch.Launch, error)
	// UpdateMany stores the changes of several launches in one
	// transaction, each isolated: one that fails or panics leaves nothing
	// of itself, a launch whose changes cannot be stored fails alone, and
	// the others are stored. errs[i][j] is the own error of change j of
	// batch[i]; err, the transaction's, means nothing was stored.
	UpdateMany(ctx context.Context, batch []launch.Changes) (errs [][]error, err error)
	// CreateToken stores an API token of a launch named name, made by user
	// (launch.CreateToken says who may), of which only hash is kept, with
	// its audit row; ECONFLICT when a live token of the launch has that name.
	CreateToken(ctx context.Context, launchID int64, user, name, hash string) (launch.Token, error)
	// RevokeToken ends a launch's live token named name, with its audit
	// row; ENOTFOUND when there is none.
	RevokeToken(ctx context.Context, launchID int64, user, name string) error
	// Tokens returns a launch's live tokens, oldest first.
	Tokens(ctx context.Context, launchID int64) ([]launch.Token, error)
	// FirstRequest records a verified request's identity on its own, and
	// tells whether this is its first arrival.
	FirstRequest(ctx context.Context, team, request string) (bool, error)
	// SaveImportDraft keeps an import preview's document for ttl.
	SaveImportDraft(ctx context.Context, d launch.ImportDraft, ttl time.Duration) error
	// ImportDraftByToken returns a saved draft, or ENOTFOUND once expired.
	ImportDraftByToken(ctx context.Context, token string) (launch.ImportDraft, error)
	// CreateLaunchFromDraft creates the launch and marks the draft used in
	// one transaction: ECONFLICT, and nothing created, when it was used.
	CreateLaunchFromDraft(ctx context.Context, l *launch.Launch, by, token string) error
	// UpdateFromDraft is Update for the Confirm of an update's preview: it
	// marks the draft used in the same transaction, so the update is
	// applied once.
	UpdateFromDraft(ctx context.Context, id int64, token string, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error)
}

// Config is what New needs. Store, and one of Slack and Workspaces, are
// required; the rest have defaults.
type Config struct {
	Store Store
	// Slack is the Web API client of the single workspace of
	// SLACK_BOT_TOKEN, built by the caller with the bot token,
	// slack.OptionAPIURL, an HTTP client whose transport goes through
	// Limits.Transport, and slack.OptionRetryConfig for 5xx and connection
	// errors only: the bot waits out 429s itself, without holding a
	// goroutine or other work.
	Slack *slack.Client
	// Workspaces, instead of Slack, gives each workspace's client when
	// golive is distributed with OAuth.
	Workspaces Workspaces
	// Limits paces background work within Slack's rate limits and holds a
	// team's method (and channel) for its Retry-After; default
	// NewRateLimits, which sees only what the bot's own work reports unless
	// the clients' transports go through it: the single workspace's with
	// team "", each workspace's with its team id.
	Limits *RateLimits
	// Timezone is the IANA zone of new launches; default UTC.
	Timezone string
	// Now returns the current time; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *metrics.Metrics
	// HTTPClient posts to response_url; default a client with a 10 s timeout.
	HTTPClient httpDoer
	// AckBudget bounds the work done before acknowledging a request
	// (Slack waits 3 s); default 2.5 s.
	AckBudget time.Duration
	// RefreshDelay is how long changes to one message are gathered into one
	// chat.update; default 400 ms.
	RefreshDelay time.Duration
	// Probes runs the probes items carry; nil when probes are off
	// (GOLIVE_PROBE_ALLOW empty): they can be set, and do not run.
	Probes *probe.Runner
	// ParallelWrites is how many write transactions may run at once, each
	// on launches no other holds: 0 or 1 for SQLite's single writer, more
	// on PostgreSQL, which runs writers side by side.
	ParallelWrites int
}

// Defaults of Config.
const (
	defaultAckBudget    = 2500 * time.Millisecond
	defaultRefreshDelay = 400 * time.Millisecond
	// slackTimeout bounds one Web API call made after an acknowledgement,
	// retries (and Retry-After waits) included.
	slackTimeout = 2 * time.Minute
	// closeTimeout bounds how long Close waits for work in flight.
	closeTimeout = 15 * time.Second
	// liveMessages is how many of a launch's latest messages a change refreshes.
	liveMessages = 5
	// maxBackground is how many jobs after acknowledgements run at once.
	maxBackground = 8
	// maxUrgent is how many urgent jobs (opening a modal) run at once.
	maxUrgent = 16
)

// httpDoer sends HTTP requests; *http.Client is one.
type httpDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Bot handles Slack requests for golive. It is safe for concurrent use.
type Bot struct {
	store Store
	// workspaces gives each team's Web API client (api).
	workspaces Workspaces
	// distributed says golive is installed with OAuth in many workspaces.
	distributed bool
	timezone    string
	now         func() time.Time
	log         *slog.Logger
	metrics     *metrics.Metrics
	http        httpDoer
	ackBudget   time.Duration

	commands    map[string]commandFunc
	actions     map[string]actionFunc
	submissions map[string]submissionFunc
	shortcuts   map[string]shortcutFunc
	names       *directory
	rejected    *sampledLog
	refresh     *refresher
	batch       *batcher
	probes      *probe.Runner // nil when probes are off
	delivery    Delivery      // nil until SetDelivery
	limits      *RateLimits
	work        *workQueue
	background  context.Context
	stop        context.CancelFunc
	urgentSlots chan struct{}
	// dmTurns serialise approval DM redraws per launch (striped by id).
	dmTurns   [32]sync.Mutex
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// New checks the configuration and returns a Bot.
func New(cfg Config) (*Bot, error) {
	if cfg.Store == nil {
		return nil, errors.New("bot: no store")
	}
	if (cfg.Slack == nil) == (cfg.Workspaces == nil) {
		return nil, errors.New("bot: give either a Slack client or Workspaces")
	}
	workspaces, distributed := cfg.Workspaces, cfg.Workspaces != nil
	if !distributed {
		workspaces = oneWorkspace{cfg.Slack}
	}
	if cfg.Timezone == "" {
		cfg.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(cfg.Timezone); err != nil {
		return nil, fmt.Errorf("bot: time zone %q: %w", cfg.Timezone, err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.AckBudget <= 0 {
		cfg.AckBudget = defaultAckBudget
	}
	if cfg.RefreshDelay <= 0 {
		cfg.RefreshDelay = defaultRefreshDelay
	}
	if cfg.Limits == nil {
		cfg.Limits = NewRateLimits(cfg.Metrics, cfg.Logger)
	}
	if cfg.Limits.metrics == nil {
		cfg.Limits.metrics = cfg.Metrics
	}
	ctx, stop := context.WithCancel(context.Background())
	b := &Bot{
		workspaces:  workspaces,
		distributed: distributed,
		timezone:    cfg.Timezone,
		now:         cfg.Now,
		log:         cfg.Logger,
		metrics:     cfg.Metrics,
		http:        cfg.HTTPClient,
		ackBudget:   cfg.AckBudget,
		names:       newDirectory(),
		rejected:    newRejections(cfg.Logger, cfg.Metrics),
		limits:      cfg.Limits,
		background:  ctx,
		stop:        stop,
		urgentSlots: make(chan struct{}, maxUrgent),
		probes:      cfg.Probes,
	}
	b.store = pokingStore{Store: cfg.Store, b: b}
	b.work = newWorkQueue(b, cfg.Limits, cfg.Logger)
	b.refresh = newRefresher(b, cfg.RefreshDelay)
	b.batch = newBatcher(b.store, cfg.AckBudget, &b.wg, b.metrics)
	if cfg.ParallelWrites > 1 {
		b.batch.parallel, b.batch.perTx = cfg.ParallelWrites, parallelBatchLaunches
	}
	b.commands = b.commandTable()
	b.actions = b.actionTable()
	b.submissions = b.submissionTable()
	b.shortcuts = b.shortcutTable()
	return b, nil
}

// Close sends the message refreshes still pending and waits, up to a bound,
// for the work started after acknowledgements; then it cancels what is left.
// Call it after the HTTP server and Socket Mode have stopped taking requests.
func (b *Bot) Close() {
	b.closeOnce.Do(func() {
		b.refresh.flush()
		b.work.closing(time.Now().Add(closeTimeout))
		done := make(chan struct{})
		go func() { b.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeTimeout):
			b.log.Warn("closing with Slack calls still in flight; cancelling them")
			b.stop()
			<-done
		}
		b.stop()
		b.work.close()
		b.rejected.close()
	})
}

// later runs fn after the acknowledgement, tracked so that Close waits for
// it: queued, with no goroutine of its own, and run with at most
// maxBackground other jobs, so that under a burst the acknowledgements,
// which Slack waits for, keep most of the CPU. Use it for work whose Slack
// calls have no rate to keep (response_url) or that needs no order; posts
// in a channel go through the outbox.
func (b *Bot) later(fn func(ctx context.Context)) {
	b.work.push(&job{run: func(ctx context.Context) error { fn(ctx); return nil }})
}

// paceTeam is the team whose rate limits count the calls made for team: team
// itself when golive is distributed, each workspace's client counting its
// own; "" for the single workspace of SLACK_BOT_TOKEN, whose one client
// counts every call as today.
func (b *Bot) paceTeam(team string) string {
	if !b.distributed {
		return ""
	}
	return team
}

// urgent runs fn after the acknowledgement at once, for work with its own
// deadline (a modal's trigger id expires after 3 s). At most maxUrgent run
// together: past that fn is not run (its deadline would pass waiting), and
// that is logged and counted.
func (b *Bot) urgent(fn func(ctx context.Context)) {
	select {
	case b.urgentSlots <- struct{}{}:
	default:
		b.work.drops.add(dropQueueFull, "method", "urgent")
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() { <-b.urgentSlots }()
		defer b.survive("urgent background work")
		fn(b.background)
	}()
}
