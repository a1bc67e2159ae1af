package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Click is what a member did on an interactive element of a message or a
// view: which element (by the indexes of its block and of the element in
// the block; -1 for a section's accessory), and what they chose.
type Click struct {
	User    string
	Channel string
	TS      string // the message's, "" for a view
	ViewID  string // the view's, "" for a message
	Block   int
	Element int
	// Selected are the values of the options chosen: all of a checkboxes
	// element's ticked options after the click, one of a select or an
	// overflow menu.
	Selected []string
}

// errStale says the element clicked is gone: the message or the view
// changed since the page was drawn.
var errStale = errors.New("this message changed since the page was drawn; look again")

// Click sends golive the block_actions payload Slack would for c.
func (c *Console) Click(ctx context.Context, k Click) error {
	p, ok := person(k.User)
	if !ok {
		return fmt.Errorf("console: no member %q", k.User)
	}
	var blocks []rawBlock
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": TeamID, "domain": "golive-console"},
		"user":       map[string]any{"id": p.ID, "username": p.Handle, "name": p.Handle, "team_id": TeamID},
		"api_app_id": "AGOLIVE", "trigger_id": c.api.NewTrigger(p.ID),
	}
	if k.ViewID != "" {
		v, ok := c.api.View(k.ViewID)
		if !ok || v.User != p.ID {
			return errStale
		}
		var err error
		if blocks, err = viewBlocks(v.Doc); err != nil {
			return err
		}
		payload["container"] = map[string]any{"type": "view", "view_id": v.ID}
		payload["view"] = v.Object(TeamID)
	} else {
		m, ok := c.api.Message(k.Channel, k.TS)
		if !ok || (m.For != "" && m.For != p.ID) {
			return errStale
		}
		if err := json.Unmarshal(orEmpty(m.Blocks), &blocks); err != nil {
			return fmt.Errorf("console: blocks of %s: %w", m.TS, err)
		}
		ch, _ := channel(m.Channel)
		payload["container"] = map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.For != ""}
		payload["channel"] = map[string]any{"id": ch.ID, "name": ch.Name}
		payload["response_url"] = c.responseURL(origin{user: p.ID, channel: m.Channel, ts: m.TS})
		if m.For == "" {
			payload["message"] = map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "blocks": orEmpty(m.Blocks)}
		}
	}
	action, err := actionOf(blocks, k)
	if err != nil {
		return err
	}
	payload["actions"] = []any{action}
	_, err = c.interact(ctx, payload)
	return err
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("[]")
	}
	return raw
}

func viewBlocks(doc json.RawMessage) ([]rawBlock, error) {
	var v struct {
		Blocks []rawBlock `json:"blocks"`
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("console: view blocks: %w", err)
	}
	return v.Blocks, nil
}

// actionOf is the action of a click, as Slack describes it: the element's
// type and ids, and its value or what was chosen.
func actionOf(blocks []rawBlock, k Click) (map[string]any, error) {
	if k.Block < 0 || k.Block >= len(blocks) {
		return nil, errStale
	}
	b := blocks[k.Block]
	var el *element
	switch {
	case k.Element == -1 && b.Accessory != nil:
		el = b.Accessory
	case k.Element >= 0 && k.Element < len(b.Elements):
		el = &b.Elements[k.Element]
	}
	if el == nil || el.ActionID == "" {
		return nil, errStale
	}
	a := map[string]any{"type": el.Type, "action_id": el.ActionID, "block_id": b.BlockID,
		"action_ts": fmt.Sprintf("%d.000000", time.Now().Unix())}
	switch el.Type {
	case "button":
		a["value"] = el.Value
		a["text"] = el.Text
	case "checkboxes":
		chosen, err := optionsOf(el.Options, k.Selected)
		if err != nil {
			return nil, err
		}
		a["selected_options"] = chosen
	case "static_select", "overflow", "radio_buttons":
		if len(k.Selected) != 1 {
			return nil, errors.New("choose one option")
		}
		chosen, err := optionsOf(el.AllOptions(), k.Selected)
		if err != nil {
			return nil, err
		}
		a["selected_option"] = chosen[0]
	default:
		return nil, fmt.Errorf("the console cannot click a %s", el.Type)
	}
	return a, nil
}

// optionsOf returns the options with the values chosen, in the element's
// order; a value it does not offer is refused.
func optionsOf(options []option, values []string) ([]option, error) {
	want := map[string]bool{}
	for _, v := range values {
		want[v] = true
	}
	out := []option{}
	for _, o := range options {
		if want[o.Value] {
			out = append(out, o)
			delete(want, o.Value)
		}
	}
	if len(want) > 0 {
		return nil, errStale
	}
	return out, nil
}

// Submission is a modal's form as a member filled it in: the values of its
// input blocks by block index (a file input's are file ids).
type Submission struct {
	User   string
	ViewID string
	Values map[int][]string
}

// Submit sends golive the view_submission payload Slack would, and acts on
// its answer: the modal closes, shows field errors, or is updated or
// pushed.
func (c *Console) Submit(ctx context.Context, s Submission) error {
	p, ok := person(s.User)
	if !ok {
		return fmt.Errorf("console: no member %q", s.User)
	}
	v, ok := c.api.View(s.ViewID)
	if !ok || v.User != p.ID || v.Type != "modal" {
		return errStale
	}
	blocks, err := viewBlocks(v.Doc)
	if err != nil {
		return err
	}
	values := map[string]map[string]any{}
	for i, b := range blocks {
		if b.Type != "input" || b.Element == nil {
			continue
		}
		value, err := c.inputValue(b.Element, s.Values[i])
		if err != nil {
			return err
		}
		if values[b.BlockID] == nil {
			values[b.BlockID] = map[string]any{}
		}
		values[b.BlockID][b.Element.ActionID] = value
	}
	view := v.Object(TeamID)
	view["state"] = map[string]any{"values": values}
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": TeamID, "domain": "golive-console"},
		"user":       map[string]any{"id": p.ID, "username": p.Handle, "name": p.Handle, "team_id": TeamID},
		"api_app_id": "AGOLIVE", "trigger_id": c.api.NewTrigger(p.ID), "view": view,
	}
	body, err := c.interact(ctx, payload)
	if err != nil {
		return err
	}
	return c.afterSubmit(p.ID, v.ID, body)
}

// afterSubmit acts on a submission's acknowledgement.
func (c *Console) afterSubmit(user, viewID string, body []byte) error {
	var ack struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &ack); err != nil {
			return fmt.Errorf("golive's answer to the form: %w", err)
		}
	}
	switch ack.Action {
	case "errors":
		c.api.SetErrors(viewID, ack.Errors)
	case "update", "push":
		next, err := c.api.NewView(user, ack.View)
		if err != nil {
			return err
		}
		if ack.Action == "push" {
			c.api.OpenModal(next, true)
		} else {
			c.api.UpdateView(viewID, "", next)
		}
	case "clear":
		c.api.CloseModal(user, true)
	default:
		c.api.CloseModal(user, false)
	}
	return nil
}

// Close closes user's top modal, telling golive when it asked to know.
func (c *Console) Close(ctx context.Context, user, viewID string) error {
	v, ok := c.api.View(viewID)
	if !ok || v.User != user {
		return errStale
	}
	c.api.CloseModal(user, false)
	if !v.NotifyOnClose {
		return nil
	}
	p, _ := person(user)
	_, err := c.interact(ctx, map[string]any{
		"type": "view_closed", "team": map[string]any{"id": TeamID},
		"user": map[string]any{"id": p.ID, "username": p.Handle, "name": p.Handle}, "view": v.Object(TeamID), "is_cleared": false,
	})
	return err
}

// inputValue is one input's entry of a view's state, as Slack sends it.
func (c *Console) inputValue(el *element, values []string) (map[string]any, error) {
	first := ""
	if len(values) > 0 {
		first = values[0]
	}
	v := map[string]any{"type": el.Type}
	switch el.Type {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		v["value"] = first
	case "datepicker":
		v["selected_date"] = first
	case "timepicker":
		v["selected_time"] = first
	case "static_select", "radio_buttons":
		if first == "" {
			v["selected_option"] = nil
			break
		}
		chosen, err := optionsOf(el.AllOptions(), []string{first})
		if err != nil {
			return nil, err
		}
		v["selected_option"] = chosen[0]
	case "checkboxes":
		chosen, err := optionsOf(el.Options, values)
		if err != nil {
			return nil, err
		}
		v["selected_options"] = chosen
	case "file_input":
		files := []any{}
		for _, id := range values {
			if f, ok := c.api.File(id); ok {
				files = append(files, f.Object(c.url+apiRoot))
			}
		}
		v["files"] = files
	default:
		return nil, fmt.Errorf("the console has no %s input", el.Type)
	}
	return v, nil
}

// Share keeps a file a member chose in a form, for a file input's value.
func (c *Console) Share(name string, data []byte) string {
	return c.api.Share(File{Name: name, Title: name, Mimetype: "text/markdown", Data: data})
}
