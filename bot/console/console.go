// Package console is a Slack workspace on localhost, for trying golive
// without one: a web page with channels, DMs and App Home over the Slack
// Web API of package webapi, which the bot's own client talks to
// (SLACK_API_URL pointed here). It is one more transport: the commands
// typed and the buttons clicked reach the bot's ordinary request handler,
// signed with a secret made for this process, and what the bot sends back
// is drawn from its Block Kit. The console keeps its messages in its own
// tables of golive's database.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golive/golive/bot/webapi"
)

// Store keeps what the console shows across restarts: the messages of its
// conversations (each a JSON document), a few named settings (the clock's
// offset, each member's App Home), and when the next reminder is due.
type Store interface {
	// SaveConsoleMessage records a message, or replaces the one with the
	// same channel and ts.
	SaveConsoleMessage(ctx context.Context, channel, ts string, doc []byte) error
	// DeleteConsoleMessage forgets a message; an unknown one is no error.
	DeleteConsoleMessage(ctx context.Context, channel, ts string) error
	// ConsoleMessages returns every message recorded, oldest first.
	ConsoleMessages(ctx context.Context) ([][]byte, error)
	// ConsoleSetting returns a setting's value, "" when it was never set.
	ConsoleSetting(ctx context.Context, name string) (string, error)
	// SetConsoleSetting records a setting's value.
	SetConsoleSetting(ctx context.Context, name, value string) error
	// NextReminderAt returns when the next reminder of a launch not in
	// busy is due, and false when none is.
	NextReminderAt(ctx context.Context, busy []int64) (time.Time, bool, error)
}

// Config is what New needs; Store, Token and SigningSecret are required.
type Config struct {
	Store Store
	// Token is the bot token the Web API takes; SigningSecret signs what
	// the console sends the bot. Both are made for the process and never
	// shown.
	Token         string
	SigningSecret string
	// URL is the console's own address (http://127.0.0.1:8080), where the
	// bot posts to response_urls.
	URL string
	// Now is the machine's clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Console is the workspace's pages and its link with the bot, over the Web
// API of api. It is safe for concurrent use.
type Console struct {
	store  Store
	secret string
	url    string
	clock  *Clock
	log    *slog.Logger
	// api is the workspace: its conversations, views and files, and the
	// Web API the bot calls.
	api *webapi.Server

	mu sync.Mutex
	// slack is the bot's handler of Slack's requests, set by Connect.
	slack     http.Handler
	responses map[string]origin
	seq       int
}

// The workspace's messages, views and files, as package webapi holds them.
type (
	Message = webapi.Message
	View    = webapi.View
	File    = webapi.File
)

// origin is what a response_url answers: the member, the conversation and
// the message clicked, if any.
type origin struct {
	user, channel, ts string
}

// apiRoot is the path the console serves the Web API under.
const apiRoot = "/webapi"

// New loads the console's messages and clock from the store.
func New(ctx context.Context, cfg Config) (*Console, error) {
	if cfg.Store == nil || cfg.Token == "" || cfg.SigningSecret == "" || cfg.URL == "" {
		return nil, errors.New("console: a store, a token, a signing secret and the console's URL are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{store: cfg.Store, secret: cfg.SigningSecret, url: strings.TrimSuffix(cfg.URL, "/"), log: cfg.Logger,
		responses: map[string]origin{}}
	offset, err := c.loadOffset(ctx)
	if err != nil {
		return nil, err
	}
	c.clock = NewClock(cfg.Now, offset)
	c.api = webapi.New(webapi.Config{Token: cfg.Token, Team: webapi.Team{ID: TeamID, Name: TeamName, BotUser: BotID},
		Directory: directory{}, StrictTriggers: true, Now: c.clock.Now, Keeper: keeper{c}, Respond: c.serveResponse,
		Root: apiRoot, Logger: cfg.Logger})
	docs, err := cfg.Store.ConsoleMessages(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: load messages: %w", err)
	}
	msgs := make([]Message, 0, len(docs))
	for _, doc := range docs {
		var m Message
		if err := json.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("console: load a message: %w", err)
		}
		msgs = append(msgs, m)
	}
	c.api.Load(msgs)
	if err := c.loadHomes(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Clock is the console's clock, to give the bot, the store and the loops
// that post.
func (c *Console) Clock() *Clock { return c.clock }

// Connect gives the console the bot's handler of Slack's requests (POST
// /slack/commands, /slack/interactions, /slack/events).
func (c *Console) Connect(slack http.Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slack = slack
}

const offsetSetting = "clock_offset_ms"

func (c *Console) loadOffset(ctx context.Context) (time.Duration, error) {
	v, err := c.store.ConsoleSetting(ctx, offsetSetting)
	if err != nil || v == "" {
		return 0, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("console: clock offset %q: %w", v, err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// keeper keeps the workspace's messages and App Homes in the console's
// tables.
type keeper struct{ c *Console }

func (k keeper) KeepMessage(ctx context.Context, m Message) {
	doc, err := json.Marshal(m)
	if err == nil {
		err = k.c.store.SaveConsoleMessage(ctx, m.Channel, m.TS, doc)
	}
	if err != nil {
		// The page still shows it; only a restart would lose it.
		k.c.log.Error("console: record a message", "channel", m.Channel, "ts", m.TS, "err", err)
	}
}

func (k keeper) ForgetMessage(ctx context.Context, channel, ts string) {
	if err := k.c.store.DeleteConsoleMessage(ctx, channel, ts); err != nil {
		k.c.log.Error("console: forget a message", "channel", channel, "ts", ts, "err", err)
	}
}

const homeSetting = "home:"

func (k keeper) KeepHome(ctx context.Context, user string, doc []byte) {
	if err := k.c.store.SetConsoleSetting(ctx, homeSetting+user, string(doc)); err != nil {
		k.c.log.Error("console: record an App Home", "user", user, "err", err)
	}
}

func (c *Console) loadHomes(ctx context.Context) error {
	for _, p := range People {
		doc, err := c.store.ConsoleSetting(ctx, homeSetting+p.ID)
		if err != nil {
			return fmt.Errorf("console: load the App Home of %s: %w", p.ID, err)
		}
		if strings.TrimSpace(doc) == "" {
			continue
		}
		if err := c.api.LoadHome(p.ID, []byte(doc)); err != nil {
			return fmt.Errorf("console: load the App Home of %s: %w", p.ID, err)
		}
	}
	return nil
}

// newID returns an id with prefix, unique in this process.
func (c *Console) newID(prefix string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return fmt.Sprintf("%s%05d", prefix, c.seq)
}
