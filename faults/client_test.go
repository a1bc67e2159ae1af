//go:build faults

package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golive/golive/bot/slackhttp"
)

// clock is a GOLIVE_CLOCK value: golive's time is start + (real time since
// epoch) × rate.
type clock struct {
	start time.Time
	epoch time.Time
	rate  float64
}

func newClock(start time.Time, rate float64) clock {
	return clock{start: start, epoch: time.Unix(time.Now().Unix(), 0), rate: rate}
}

func (c clock) String() string {
	return fmt.Sprintf("%s@%dx%g", c.start.Format(time.RFC3339), c.epoch.Unix(), c.rate)
}

// now is golive's time.
func (c clock) now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.epoch)) * c.rate))
}

// real is how long d of golive's time lasts.
func (c clock) real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.rate)
}

// sleepUntil waits until golive's time reaches at.
func (c clock) sleepUntil(at time.Time) {
	if d := at.Sub(c.now()); d > 0 {
		time.Sleep(time.Duration(float64(d) / c.rate))
	}
}

// client sends Slack's requests to the servers of a run, signed with the
// signing secret over the raw body, spreading them across the live ones.
type client struct {
	servers []*server
	http    *http.Client
	next    atomic.Int64
	seq     atomic.Int64
	fake    *fakeSlack
}

func newClient(fake *fakeSlack, servers []*server) *client {
	return &client{servers: servers, fake: fake, http: &http.Client{Timeout: 10 * time.Second}}
}

// reply is a server's answer to one request; acked is a 200 (Slack's
// acknowledgement).
type reply struct {
	acked bool
	body  []byte
	// responseType and text are a command's JSON answer.
	responseType string
	text         string
}

// post sends body to path on the next live server.
func (c *client) post(path string, body []byte) reply {
	var target *server
	for range len(c.servers) {
		s := c.servers[int(c.next.Add(1))%len(c.servers)]
		if s.alive() && !s.paused.Load() {
			target = s
			break
		}
	}
	if target == nil {
		return reply{}
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+target.address()+path, bytes.NewReader(body))
	if err != nil {
		return reply{}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", slackhttp.Sign(signingSecret, ts, body))
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return reply{}
	}
	r := reply{acked: true, body: raw}
	var answer struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if len(raw) > 0 && json.Unmarshal(raw, &answer) == nil {
		r.responseType, r.text = answer.ResponseType, answer.Text
	}
	return r
}

// command sends "/golive text" as user in the launch's channel.
func (c *client) command(user, text string) reply {
	n := c.seq.Add(1)
	return c.post("/slack/commands", []byte(url.Values{
		"team_id":      {team},
		"channel_id":   {channel},
		"user_id":      {user},
		"user_name":    {strings.ToLower(user)},
		"command":      {"/golive"},
		"text":         {text},
		"response_url": {c.fake.responseURL("cmd" + strconv.FormatInt(n, 10))},
		"trigger_id":   {"trigger-cmd-" + strconv.FormatInt(n, 10)},
	}.Encode()))
}

// interact sends an interaction payload.
func (c *client) interact(payload map[string]any) reply {
	js, _ := json.Marshal(payload)
	return c.post("/slack/interactions", []byte(url.Values{"payload": {string(js)}}.Encode()))
}

// trigger returns a new trigger id.
func (c *client) trigger() string { return "trigger-" + strconv.FormatInt(c.seq.Add(1), 10) }

// blockAction is a block_actions payload of user's click of action on msg.
func (c *client) blockAction(user string, msg message, action map[string]any, trigger string) map[string]any {
	var blocks []map[string]any
	_ = json.Unmarshal([]byte(msg.Blocks), &blocks)
	n := c.seq.Add(1)
	return map[string]any{
		"type":         "block_actions",
		"team":         map[string]any{"id": team},
		"user":         map[string]any{"id": user, "name": strings.ToLower(user)},
		"channel":      map[string]any{"id": msg.Channel},
		"container":    map[string]any{"type": "message", "message_ts": msg.TS, "channel_id": msg.Channel},
		"message":      map[string]any{"ts": msg.TS, "blocks": blocks},
		"response_url": c.fake.responseURL("click" + strconv.FormatInt(n, 10)),
		"trigger_id":   trigger,
		"actions":      []any{action},
	}
}

// elements returns a block's interactive elements.
func elements(block map[string]any) []map[string]any {
	var out []map[string]any
	if els, ok := block["elements"].([]any); ok {
		for _, e := range els {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	if acc, ok := block["accessory"].(map[string]any); ok {
		out = append(out, acc)
	}
	return out
}

// tickClick returns the click of user ticking item n on the checklist
// message msg as the fake holds it (the element's whole selection after
// the click, as Slack sends it), or false when n is not on msg.
func (c *client) tickClick(user string, msg message, n int) (map[string]any, bool) {
	var blocks []map[string]any
	if json.Unmarshal([]byte(msg.Blocks), &blocks) != nil {
		return nil, false
	}
	num := strconv.Itoa(n)
	for _, b := range blocks {
		for _, el := range elements(b) {
			if el["type"] != "checkboxes" || !hasOption(el["options"], num) {
				continue
			}
			selected := []any{}
			if init, ok := el["initial_options"].([]any); ok {
				selected = append(selected, init...)
			}
			if !hasOption(el["initial_options"], num) {
				selected = append(selected, map[string]any{"value": num, "text": map[string]any{"type": "mrkdwn", "text": num}})
			}
			return c.blockAction(user, msg, map[string]any{
				"type": "checkboxes", "action_id": el["action_id"], "block_id": b["block_id"],
				"selected_options": selected, "action_ts": "1.1",
			}, c.trigger()), true
		}
	}
	return nil, false
}

func hasOption(options any, value string) bool {
	list, _ := options.([]any)
	for _, o := range list {
		if m, ok := o.(map[string]any); ok && m["value"] == value {
			return true
		}
	}
	return false
}

// buttonClick returns the click of user on the button actionID of msg.
func (c *client) buttonClick(user string, msg message, actionID, trigger string) (map[string]any, bool) {
	var blocks []map[string]any
	if json.Unmarshal([]byte(msg.Blocks), &blocks) != nil {
		return nil, false
	}
	for _, b := range blocks {
		for _, el := range elements(b) {
			if el["action_id"] == actionID {
				return c.blockAction(user, msg, map[string]any{"type": "button", "action_id": actionID,
					"block_id": b["block_id"], "value": el["value"], "action_ts": "1.1"}, trigger), true
			}
		}
	}
	return nil, false
}

// submission is the view_submission of an approval modal with a note.
func submission(user string, v openedView, note string) map[string]any {
	return map[string]any{
		"type":       "view_submission",
		"trigger_id": v.Trigger + "-submit",
		"team":       map[string]any{"id": team},
		"user":       map[string]any{"id": user},
		"view": map[string]any{
			"type": "modal", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
			"state": map[string]any{"values": map[string]any{
				"approval_note": map[string]any{"note": map[string]any{"type": "plain_text_input", "value": note}},
			}},
		},
	}
}

// ledger records the changes a run asked for, acknowledged or not, by the
// audit row each one writes, so that the audit log can be checked.
type ledger struct {
	mu      sync.Mutex
	acked   map[auditKey]int
	unacked map[auditKey]int
}

// auditKey is what tells one change's audit row: who, what, on what, and
// (for notes) the text.
type auditKey struct {
	actor, action, subject, after string
}

func (k auditKey) String() string {
	s := fmt.Sprintf("%s %s %q", k.actor, k.action, k.subject)
	if k.after != "" {
		s += fmt.Sprintf(" → %q", k.after)
	}
	return s
}

func newLedger() *ledger {
	return &ledger{acked: map[auditKey]int{}, unacked: map[auditKey]int{}}
}

// record notes a request for the change k and whether it was acknowledged
// as made.
func (l *ledger) record(k auditKey, acked bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if acked {
		l.acked[k]++
	} else {
		l.unacked[k]++
	}
}
