// Package console is a Slack workspace on localhost, for trying golive
// without one: a web page with channels, DMs and App Home, and a Slack Web
// API the bot's own client talks to (SLACK_API_URL pointed here). It is one
// more transport: the commands typed and the buttons clicked reach the
// bot's ordinary request handler, signed with a secret made for this
// process, and what the bot sends back is drawn from its Block Kit. The
// console keeps its messages in its own tables of golive's database.
package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
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

// Console is the workspace: its conversations, views and files, its Web
// API and its pages. It is safe for concurrent use.
type Console struct {
	store  Store
	token  string
	secret string
	url    string
	clock  *Clock
	log    *slog.Logger
	// slack is the bot's handler of Slack's requests, set by Connect.
	slack http.Handler

	mu        sync.Mutex
	messages  map[string][]*Message // by channel, in ts order
	lastTS    int64                 // microseconds of the latest ts given
	modals    map[string][]*View    // by user, the stack, top last
	homes     map[string]*View      // by user
	views     map[string]*View      // by id
	triggers  map[string]trigger
	responses map[string]origin
	files     map[string]*File
	seq       int
	// version counts changes, for pages to see that they are stale.
	version int64
}

// Message is a message as the console holds and draws it.
type Message struct {
	Channel  string          `json:"channel"`
	TS       string          `json:"ts"`
	User     string          `json:"user"`
	Text     string          `json:"text"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
	Files    []string        `json:"files,omitempty"`
	// For is the one member who sees an ephemeral message.
	For    string `json:"for,omitempty"`
	Edited bool   `json:"edited,omitempty"`
}

// trigger is a trigger_id given with a command or a click: it lets the bot
// open a modal for that member, once, within 3 seconds.
type trigger struct {
	user    string
	expires time.Time
}

// origin is what a response_url answers: the member, the conversation and
// the message clicked, if any.
type origin struct {
	user, channel, ts string
}

// triggerLife is how long a trigger_id works, as in Slack.
const triggerLife = 3 * time.Second

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
	c := &Console{store: cfg.Store, token: cfg.Token, secret: cfg.SigningSecret, url: strings.TrimSuffix(cfg.URL, "/"), log: cfg.Logger,
		messages: map[string][]*Message{}, modals: map[string][]*View{}, homes: map[string]*View{},
		views: map[string]*View{}, triggers: map[string]trigger{}, responses: map[string]origin{}, files: map[string]*File{}}
	offset, err := c.loadOffset(ctx)
	if err != nil {
		return nil, err
	}
	c.clock = NewClock(cfg.Now, offset)
	docs, err := cfg.Store.ConsoleMessages(ctx)
	if err != nil {
		return nil, fmt.Errorf("console: load messages: %w", err)
	}
	for _, doc := range docs {
		var m Message
		if err := json.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("console: load a message: %w", err)
		}
		c.messages[m.Channel] = append(c.messages[m.Channel], &m)
		c.lastTS = max(c.lastTS, tsMicros(m.TS))
	}
	for _, list := range c.messages {
		sort.Slice(list, func(i, j int) bool { return tsMicros(list[i].TS) < tsMicros(list[j].TS) })
	}
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

// nextTS returns a new message ts: the console's time in Slack's
// "seconds.micros" form, always after the last one given. c.mu is held.
func (c *Console) nextTS() string {
	us := max(c.clock.Now().UnixMicro(), c.lastTS+1)
	c.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// tsMicros reads a ts back into microseconds, 0 when it is malformed.
func tsMicros(ts string) int64 {
	sec, frac, _ := cutDot(ts)
	s, err1 := strconv.ParseInt(sec, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return s*1e6 + f
}

func cutDot(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "0", false
}

// changed marks the console's pages stale. c.mu is held.
func (c *Console) changed() { c.version++ }

// Version counts the changes so far: a page polls it to know when to
// redraw.
func (c *Console) Version() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// save records m in the store. c.mu is not held: the store may be slow.
func (c *Console) save(ctx context.Context, m Message) {
	doc, err := json.Marshal(m)
	if err == nil {
		// The message is shown already: it is kept even if the caller
		// gave up waiting.
		err = c.store.SaveConsoleMessage(context.WithoutCancel(ctx), m.Channel, m.TS, doc)
	}
	if err != nil {
		// The page still shows it; only a restart would lose it.
		c.log.Error("console: record a message", "channel", m.Channel, "ts", m.TS, "err", err)
	}
}

// add appends a new message to its conversation and records it.
func (c *Console) add(ctx context.Context, m Message) Message {
	c.mu.Lock()
	m.TS = c.nextTS()
	c.messages[m.Channel] = append(c.messages[m.Channel], &m)
	c.changed()
	saved := m
	c.mu.Unlock()
	c.save(ctx, saved)
	return saved
}

// replace changes a message in place, keeping its channel, ts and author;
// false when there is no such message.
func (c *Console) replace(ctx context.Context, channel, ts string, edit func(m *Message)) (Message, bool) {
	c.mu.Lock()
	var found *Message
	for _, m := range c.messages[channel] {
		if m.TS == ts {
			found = m
			break
		}
	}
	if found == nil {
		c.mu.Unlock()
		return Message{}, false
	}
	edit(found)
	found.Edited = true
	c.changed()
	saved := *found
	c.mu.Unlock()
	c.save(ctx, saved)
	return saved, true
}

// remove deletes a message; false when there was no such message.
func (c *Console) remove(ctx context.Context, channel, ts string) bool {
	c.mu.Lock()
	list := c.messages[channel]
	found := false
	for i, m := range list {
		if m.TS == ts {
			c.messages[channel] = append(list[:i:i], list[i+1:]...)
			found = true
			break
		}
	}
	if found {
		c.changed()
	}
	c.mu.Unlock()
	if found {
		if err := c.store.DeleteConsoleMessage(context.WithoutCancel(ctx), channel, ts); err != nil {
			c.log.Error("console: forget a message", "channel", channel, "ts", ts, "err", err)
		}
	}
	return found
}

// message returns a copy of a message.
func (c *Console) message(channel, ts string) (Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.messages[channel] {
		if m.TS == ts {
			return *m, true
		}
	}
	return Message{}, false
}

// Messages returns a conversation's messages that user may see, oldest
// first: everyone's, and the ephemeral ones for user.
func (c *Console) Messages(channel, user string) []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Message
	for _, m := range c.messages[channel] {
		if m.For == "" || m.For == user {
			out = append(out, *m)
		}
	}
	return out
}

// empty says whether no conversation has a message yet.
func (c *Console) empty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, list := range c.messages {
		if len(list) > 0 {
			return false
		}
	}
	return true
}

// newID returns an id with prefix, unique in this process.
func (c *Console) newID(prefix string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return fmt.Sprintf("%s%05d", prefix, c.seq)
}
