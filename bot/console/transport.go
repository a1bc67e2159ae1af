package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/golive/golive/bot/slackhttp"
)

// toBot sends a request to the bot's handler as Slack would: POSTed to
// path, form-encoded, signed with the process's secret. It returns the
// acknowledgement's status and body.
func (c *Console) toBot(ctx context.Context, path string, contentType string, body []byte) (int, []byte, error) {
	c.mu.Lock()
	h := c.slack
	c.mu.Unlock()
	if h == nil {
		return 0, nil, errors.New("console: golive is not connected yet")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://console"+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("console: %s: %w", path, err)
	}
	// Slack signs with the real time, which its 5-minute window checks:
	// never the console's clock, which may be days ahead.
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackhttp.Sign(c.secret, ts, body))
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(rec, req)
	return rec.status, rec.body.Bytes(), nil
}

// recorder is the response writer of a request handed to the bot in
// process.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

// Command sends "/golive text" typed by user in channel, and shows the
// acknowledgement's reply, if any, as Slack would.
func (c *Console) Command(ctx context.Context, user, channelID, text string) error {
	p, ok := person(user)
	if !ok {
		return fmt.Errorf("console: no member %q", user)
	}
	ch, ok := channel(channelID)
	if !ok {
		return fmt.Errorf("console: no conversation %q", channelID)
	}
	form := url.Values{
		"team_id": {TeamID}, "team_domain": {"golive-console"}, "channel_id": {ch.ID}, "channel_name": {ch.Name},
		"user_id": {p.ID}, "user_name": {p.Handle}, "command": {"/golive"}, "text": {escapeCommand(text)},
		"api_app_id": {"AGOLIVE"}, "response_url": {c.responseURL(origin{user: p.ID, channel: ch.ID})},
		"trigger_id": {c.api.NewTrigger(p.ID)},
	}
	status, body, err := c.toBot(ctx, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("golive answered %d: %s", status, bytes.TrimSpace(body))
	}
	if len(bytes.TrimSpace(body)) > 0 {
		c.respond(ctx, origin{user: p.ID, channel: ch.ID}, body)
	}
	return nil
}

// interact sends an interaction payload and returns the acknowledgement.
func (c *Console) interact(ctx context.Context, payload map[string]any) ([]byte, error) {
	js, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("console: encode the interaction: %w", err)
	}
	form := url.Values{"payload": {string(js)}}
	status, body, err := c.toBot(ctx, "/slack/interactions", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("golive answered %d: %s", status, bytes.TrimSpace(body))
	}
	return body, nil
}

// HomeOpened tells golive that user opened its App Home.
func (c *Console) HomeOpened(ctx context.Context, user string) error {
	event := map[string]any{
		"type": "event_callback", "team_id": TeamID, "api_app_id": "AGOLIVE", "event_id": c.newID("Ev"),
		"event_time": time.Now().Unix(),
		"event":      map[string]any{"type": "app_home_opened", "user": user, "channel": dmOf(user).ID, "tab": "home"},
	}
	js, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("console: encode the event: %w", err)
	}
	status, body, err := c.toBot(ctx, "/slack/events", "application/json", js)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("golive answered %d: %s", status, bytes.TrimSpace(body))
	}
	return nil
}

// responseURL returns a response_url that answers to o.
func (c *Console) responseURL(o origin) string {
	id := c.newID("R")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.responses[id] = o
	return c.url + apiRoot + "/response/" + id
}

// answer is what a response_url or a command's acknowledgement carries.
type answer struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
}

// serveResponse takes a post to a response_url.
func (c *Console) serveResponse(ctx context.Context, id string, body []byte) error {
	c.mu.Lock()
	o, ok := c.responses[id]
	c.mu.Unlock()
	if !ok {
		return errors.New("no such response_url")
	}
	return c.respond(ctx, o, body)
}

// respond shows an answer as Slack would: in the channel, to the member
// alone, or in place of (or instead of) the message clicked.
func (c *Console) respond(ctx context.Context, o origin, body []byte) error {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("the answer is not JSON: %w", err)
	}
	if a.Blocks != nil {
		if refused := c.api.CheckAnswer(a.Text, a.Blocks); refused != "" {
			return errors.New(refused)
		}
	}
	if string(a.Blocks) == "null" {
		a.Blocks = nil
	}
	switch {
	case a.DeleteOriginal && o.ts != "":
		c.api.Remove(ctx, o.channel, o.ts)
	case a.ReplaceOriginal && o.ts != "":
		c.api.Replace(ctx, o.channel, o.ts, func(m *Message) { m.Text, m.Blocks = a.Text, a.Blocks })
	case a.ResponseType == "in_channel":
		c.api.Add(ctx, Message{Channel: o.channel, User: BotID, Text: a.Text, Blocks: a.Blocks})
	default:
		c.api.Add(ctx, Message{Channel: o.channel, User: BotID, Text: a.Text, Blocks: a.Blocks, For: o.user})
	}
	return nil
}
