package console

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
)

// maxAPIBody bounds a Web API request; an export upload is the largest.
const maxAPIBody = 32 << 20

// apiCall is one Web API request: its form fields or its JSON body.
type apiCall struct {
	method string
	// base is the console's address as the caller reached it.
	base string
	form url.Values
	json map[string]json.RawMessage
}

// get returns a field, from the form or the JSON body.
func (a apiCall) get(name string) string {
	if v := a.form.Get(name); v != "" {
		return v
	}
	raw, ok := a.json[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// serveAPI answers the Web API methods golive calls, at /webapi/METHOD, to
// the bot's token only.
func (c *Console) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAPIBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	call := apiCall{method: r.PathValue("method"), base: base(r)}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &call.json); err != nil {
			writeJSON(w, apiError("invalid_json"))
			return
		}
	} else if call.form, err = url.ParseQuery(string(body)); err != nil {
		writeJSON(w, apiError("invalid_form_data"))
		return
	}
	if !c.authorized(r, call) {
		writeJSON(w, apiError("invalid_auth"))
		return
	}
	writeJSON(w, c.api(r.Context(), call))
}

// authorized checks the bot token, sent as a bearer or a form field.
func (c *Console) authorized(r *http.Request, call apiCall) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		tok = call.form.Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(c.token)) == 1
}

func apiError(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// api answers one call.
func (c *Console) api(ctx context.Context, a apiCall) map[string]any {
	switch a.method {
	case "auth.test":
		return map[string]any{"ok": true, "url": "http://localhost/", "team": TeamName, "user": botName,
			"team_id": TeamID, "user_id": BotID, "bot_id": "BGOLIVE"}
	case "chat.postMessage":
		return c.postMessage(ctx, a)
	case "chat.update":
		return c.updateMessage(ctx, a)
	case "chat.postEphemeral":
		return c.postEphemeral(ctx, a)
	case "chat.delete":
		if !c.remove(ctx, a.get("channel"), a.get("ts")) {
			return apiError("message_not_found")
		}
		return map[string]any{"ok": true, "channel": a.get("channel"), "ts": a.get("ts")}
	case "conversations.open":
		users := strings.Split(a.get("users"), ",")
		if len(users) != 1 {
			return apiError("not_supported")
		}
		if _, ok := person(users[0]); !ok || users[0] == BotID {
			return apiError("user_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": dmOf(users[0]).ID, "is_im": true}}
	case "conversations.info":
		ch, ok := channel(a.get("channel"))
		if !ok {
			return apiError("channel_not_found")
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": ch.ID, "name": ch.Name, "is_im": ch.With != ""}}
	case "conversations.history":
		return c.history(a)
	case "users.info":
		p, ok := person(a.get("user"))
		if !ok {
			return apiError("user_not_found")
		}
		return map[string]any{"ok": true, "user": userObject(p)}
	case "users.lookupByEmail":
		for _, p := range People {
			if strings.EqualFold(p.Email, a.get("email")) {
				return map[string]any{"ok": true, "user": userObject(p)}
			}
		}
		return apiError("users_not_found")
	case "views.open", "views.push":
		return c.openView(a)
	case "views.update":
		return c.replaceView(a)
	case "views.publish":
		return c.publishView(ctx, a)
	case "files.getUploadURLExternal":
		return c.uploadURL(a)
	case "files.completeUploadExternal":
		return c.completeUpload(ctx, a)
	case "files.info":
		f, ok := c.file(a.get("file"))
		if !ok {
			return apiError("file_not_found")
		}
		return map[string]any{"ok": true, "file": f.object()}
	}
	c.log.Warn("console: the bot called a Web API method the console does not have", "method", a.method)
	return apiError("unknown_method")
}

func userObject(p Person) map[string]any {
	return map[string]any{"id": p.ID, "team_id": TeamID, "name": p.Handle, "real_name": p.Name, "tz": "UTC",
		"is_bot":  p.ID == BotID,
		"profile": map[string]any{"display_name": p.Name, "real_name": p.Name, "email": p.Email}}
}

// conversation resolves where a message goes: a channel, a DM, or a
// member's id for their DM with golive.
func conversation(id string) (Channel, bool) {
	if _, ok := person(id); ok && id != BotID {
		return dmOf(id), true
	}
	return channel(id)
}

// checkMessage refuses what Slack would: no text and no blocks, or blocks
// outside Block Kit's limits (which it answers invalid_blocks).
func (c *Console) checkMessage(a apiCall) (json.RawMessage, string) {
	raw := a.get("blocks")
	if raw == "" {
		if strings.TrimSpace(a.get("text")) == "" {
			return nil, "no_text"
		}
		return nil, ""
	}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return nil, "invalid_blocks_format"
	}
	msg := render.Message{Text: a.get("text"), Blocks: blocks.BlockSet}
	if breaches := render.CheckMessage(msg); len(breaches) > 0 {
		c.log.Error("console: the bot sent a message Slack would refuse", "breaches", strings.Join(breaches, "; "))
		return nil, "invalid_blocks"
	}
	return json.RawMessage(raw), ""
}

func (c *Console) postMessage(ctx context.Context, a apiCall) map[string]any {
	ch, ok := conversation(a.get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	blocks, refused := c.checkMessage(a)
	if refused != "" {
		return apiError(refused)
	}
	m := c.add(ctx, Message{Channel: ch.ID, User: BotID, Text: a.get("text"), Blocks: blocks, Metadata: rawOrNil(a.get("metadata"))})
	return map[string]any{"ok": true, "channel": ch.ID, "ts": m.TS, "message": map[string]any{"type": "message", "ts": m.TS, "text": m.Text}}
}

func rawOrNil(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

func (c *Console) updateMessage(ctx context.Context, a apiCall) map[string]any {
	ch, ok := conversation(a.get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	blocks, refused := c.checkMessage(a)
	if refused != "" {
		return apiError(refused)
	}
	if old, ok := c.message(ch.ID, a.get("ts")); !ok || old.User != BotID {
		return apiError("message_not_found")
	}
	m, _ := c.replace(ctx, ch.ID, a.get("ts"), func(m *Message) {
		m.Text, m.Blocks = a.get("text"), blocks
		if meta := rawOrNil(a.get("metadata")); meta != nil {
			m.Metadata = meta
		}
	})
	return map[string]any{"ok": true, "channel": ch.ID, "ts": m.TS, "text": m.Text}
}

func (c *Console) postEphemeral(ctx context.Context, a apiCall) map[string]any {
	ch, ok := conversation(a.get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	user := a.get("user")
	if _, ok := person(user); !ok {
		return apiError("user_not_found")
	}
	blocks, refused := c.checkMessage(a)
	if refused != "" {
		return apiError(refused)
	}
	m := c.add(ctx, Message{Channel: ch.ID, User: BotID, Text: a.get("text"), Blocks: blocks, For: user})
	return map[string]any{"ok": true, "message_ts": m.TS}
}

// history answers conversations.history: the channel's messages for
// everyone, newest first, with their metadata when asked for.
func (c *Console) history(a apiCall) map[string]any {
	ch, ok := conversation(a.get("channel"))
	if !ok {
		return apiError("channel_not_found")
	}
	withMeta := a.get("include_all_metadata") == "1" || a.get("include_all_metadata") == "true"
	list := c.Messages(ch.ID, "")
	limit, _ := strconv.Atoi(a.get("limit"))
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	out := []map[string]any{}
	for i := len(list) - 1; i >= 0 && len(out) < limit; i-- {
		m := map[string]any{"type": "message", "ts": list[i].TS, "text": list[i].Text, "user": list[i].User}
		if withMeta && list[i].Metadata != nil {
			m["metadata"] = list[i].Metadata
		}
		out = append(out, m)
	}
	return map[string]any{"ok": true, "messages": out, "has_more": false}
}

// useTrigger spends a trigger_id: the member it was given to, or false
// when it is unknown, spent or expired.
func (c *Console) useTrigger(id string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.triggers[id]
	delete(c.triggers, id)
	if !ok || time.Now().After(t.expires) {
		return "", false
	}
	return t.user, true
}

// newTrigger gives user a trigger_id.
func (c *Console) newTrigger(user string) string {
	id := c.newID("trigger.") + "." + strings.ToLower(user)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for k, t := range c.triggers {
		if now.After(t.expires) {
			delete(c.triggers, k)
		}
	}
	c.triggers[id] = trigger{user: user, expires: now.Add(triggerLife)}
	return id
}

func (c *Console) openView(a apiCall) map[string]any {
	user, ok := c.useTrigger(a.get("trigger_id"))
	if !ok {
		return apiError("expired_trigger_id")
	}
	v, err := c.newView(user, []byte(a.get("view")))
	if err != nil || v.Type != string(slack.VTModal) {
		return apiError("invalid_arguments")
	}
	if errs := checkModal(v.Doc); len(errs) > 0 {
		c.log.Error("console: the bot opened a modal Slack would refuse", "breaches", strings.Join(errs, "; "))
		return apiError("invalid_arguments")
	}
	c.openModal(v, a.method == "views.push")
	return map[string]any{"ok": true, "view": v.answer()}
}

func checkModal(doc []byte) []string {
	var m slack.ModalViewRequest
	if err := json.Unmarshal(doc, &m); err != nil {
		return []string{err.Error()}
	}
	return render.CheckModal(m)
}

func (c *Console) replaceView(a apiCall) map[string]any {
	next, err := c.newView("", []byte(a.get("view")))
	if err != nil {
		return apiError("invalid_arguments")
	}
	v, ok := c.updateView(a.get("view_id"), a.get("external_id"), next)
	if !ok {
		return apiError("not_found")
	}
	return map[string]any{"ok": true, "view": v.answer()}
}

func (c *Console) publishView(ctx context.Context, a apiCall) map[string]any {
	user := a.get("user_id")
	if _, ok := person(user); !ok || user == BotID {
		return apiError("user_not_found")
	}
	v, err := c.newView(user, []byte(a.get("view")))
	if err != nil || v.Type != string(slack.VTHomeTab) {
		return apiError("invalid_arguments")
	}
	var home slack.HomeTabViewRequest
	if err := json.Unmarshal(v.Doc, &home); err == nil {
		if errs := render.CheckHome(home); len(errs) > 0 {
			c.log.Error("console: the bot published a Home Slack would refuse", "breaches", strings.Join(errs, "; "))
			return apiError("invalid_arguments")
		}
	}
	c.publishHome(ctx, v)
	return map[string]any{"ok": true, "view": v.answer()}
}

// File is a file shared in the console: uploaded by golive (an export) or
// by a member (a checklist in the import form).
type File struct {
	ID       string
	Name     string
	Title    string
	Mimetype string
	Data     []byte
	// Base is the console's address, for the file's URLs.
	Base string
}

// object is the file object of the Web API and of a file_input's value.
func (f *File) object() map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "mimetype": f.Mimetype, "size": len(f.Data),
		"url_private_download": f.Base + "/files-pri/" + f.ID + "/" + url.PathEscape(f.Name),
		"url_private":          f.Base + "/files-pri/" + f.ID + "/" + url.PathEscape(f.Name)}
}

func (c *Console) file(id string) (*File, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.files[id]
	return f, ok
}

func (c *Console) keepFile(f *File) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.files[f.ID] = f
}

// base is the console's own address as the bot reaches it.
func base(r *http.Request) string { return "http://" + r.Host }

func (c *Console) uploadURL(a apiCall) map[string]any {
	name := a.get("filename")
	if name == "" {
		return apiError("invalid_arguments")
	}
	f := &File{ID: c.newID("F"), Name: name, Title: name, Mimetype: mime.TypeByExtension(extOf(name))}
	c.keepFile(f)
	return map[string]any{"ok": true, "file_id": f.ID, "upload_url": a.base + "/console/upload/" + f.ID}
}

func extOf(name string) string {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[i:]
	}
	return ""
}

// serveUpload takes the bytes of a file golive uploads (a multipart form
// with one file, as slack-go sends it).
func (c *Console) serveUpload(w http.ResponseWriter, r *http.Request) {
	f, ok := c.file(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
	var data []byte
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil {
			http.Error(w, "want one file", http.StatusBadRequest)
			return
		}
		data, err = io.ReadAll(part)
		if err != nil {
			http.Error(w, "could not read the file", http.StatusBadRequest)
			return
		}
	} else if data, err = io.ReadAll(r.Body); err != nil {
		http.Error(w, "could not read the file", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	f.Data, f.Base = data, base(r)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *Console) completeUpload(ctx context.Context, a apiCall) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(a.get("files")), &files); err != nil || len(files) == 0 {
		return apiError("invalid_arguments")
	}
	var ids []string
	var summaries []map[string]any
	for _, fs := range files {
		f, ok := c.file(fs.ID)
		if !ok || f.Data == nil {
			return apiError("file_not_found")
		}
		if fs.Title != "" {
			c.mu.Lock()
			f.Title = fs.Title
			c.mu.Unlock()
		}
		ids = append(ids, f.ID)
		summaries = append(summaries, map[string]any{"id": f.ID, "title": f.Title})
	}
	if to := a.get("channel_id"); to != "" {
		ch, ok := conversation(to)
		if !ok {
			return apiError("channel_not_found")
		}
		c.add(ctx, Message{Channel: ch.ID, User: BotID, Text: a.get("initial_comment"), Files: ids})
	}
	return map[string]any{"ok": true, "files": summaries}
}

// serveFile serves a file's bytes: at /files-pri/ to the bot's token only,
// as Slack does, and at /console/files/ to the page.
func (c *Console) serveFile(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/files-pri/") && !c.authorized(r, apiCall{}) {
		http.Error(w, "sign in to download this file", http.StatusForbidden)
		return
	}
	f, ok := c.file(r.PathValue("id"))
	if !ok || f.Data == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, f.Name, time.Time{}, bytes.NewReader(f.Data))
}

// filesOf returns the files of a message.
func (c *Console) filesOf(ids []string) []*File {
	var out []*File
	for _, id := range ids {
		if f, ok := c.file(id); ok {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
