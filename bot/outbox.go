package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/outbox"
	"github.com/golive/golive/internal/workspace"
)

// PostEventType is the event_type of the metadata every outbox post
// carries; its payload's "key" is the post's idempotency key.
const PostEventType = "golive_post"

// postBody is a post's body in the outbox: the message as rendered when it
// was told. Notice is the text of a notice `golive import` left before the
// outbox (migration 0018), rendered when sent.
type postBody struct {
	Text   string       `json:"text,omitempty"`
	Blocks slack.Blocks `json:"blocks"`
	Notice string       `json:"notice,omitempty"`
	// Approval is set on an approval request DM: what to record once sent.
	Approval *approvalBody `json:"approval,omitempty"`
	// Window is the key of the window a reminder opens: once sent, it is
	// recorded as a live reminder message, so that a click on its
	// checkboxes redraws it as the reminder it is.
	Window string `json:"window,omitempty"`
}

// approvalBody is the role an approval request DM asks, and when.
type approvalBody struct {
	Role    string `json:"role"`
	AskedAt int64  `json:"asked_at"` // Unix milliseconds
}

// enqueue tells l's channel msg, a post of kind keyed key, with the
// change being made to l: it is stored with the change, or not at all.
func enqueue(l *launch.Launch, kind, key string, msg render.Message) error {
	return enqueueTo(l, launch.Post{Key: key, Kind: kind, Channel: l.ChannelID}, msg)
}

// enqueueDM is enqueue for a direct message to user.
func enqueueDM(l *launch.Launch, kind, key, user string, msg render.Message) error {
	return enqueueTo(l, launch.Post{Key: key, Kind: kind, User: user}, msg)
}

func enqueueTo(l *launch.Launch, p launch.Post, msg render.Message) error {
	body, err := json.Marshal(postBody{Text: msg.Text, Blocks: slack.Blocks{BlockSet: msg.Blocks}})
	if err != nil {
		return fmt.Errorf("encode the %s post: %w", p.Kind, err)
	}
	p.Body = body
	l.Tell(p)
	return nil
}

// tellNotice tells l's channel text, a notice of the change made at now;
// what tells the change's notices apart (the cause and the actor), so that
// its key is its own.
func tellNotice(l *launch.Launch, now time.Time, what, text string) error {
	key := launch.PostKey(launch.PostNotice, l.ID, launch.InstantKey(now)+":"+what)
	return enqueue(l, launch.PostNotice, key, render.Notice(text))
}

// tellNotices enqueues, in the transaction of the change made to l at now,
// what the domain says that change tells the channel (launch.Notices),
// worded as of clock: the outbox delivers it once committed.
func tellNotices(l *launch.Launch, now, clock time.Time) error {
	for _, n := range l.Notices(now) {
		msg, err := noticeMessage(l, n, clock)
		if err != nil {
			return err
		}
		if err := enqueue(l, n.PostKind(), n.Key, msg); err != nil {
			return err
		}
		if n.Kind == launch.NoticeProbe {
			// The item's owner hears of it too, under a key of its own.
			if owner := probeOwner(l, n); owner != "" {
				if err := enqueueDM(l, launch.PostNotice, n.Key+":dm", owner, msg); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// TellNotices is tellNotices for a change made outside the bot (`golive
// import --update`).
func TellNotices(l *launch.Launch, now time.Time) error { return tellNotices(l, now, now) }

// TellImport tells a launch being created from an imported checklist, by
// the person with Slack id by, to announce itself in its channel once
// stored (ImportNotice).
func TellImport(l *launch.Launch, by string) error {
	// No key: the launch has no id yet, and the store keys the post by it.
	return enqueue(l, launch.PostImportNotice, "", render.Notice(ImportNotice(l, by)))
}

// message decodes a post's body.
func (p postBody) message() render.Message {
	if p.Notice != "" {
		return render.Notice(p.Notice)
	}
	return render.Message{Text: p.Text, Blocks: p.Blocks.BlockSet}
}

// OutboxTransport returns what delivers the outbox's posts as this bot.
func (b *Bot) OutboxTransport() outbox.Transport { return &outboxTransport{b: b} }

type outboxTransport struct{ b *Bot }

var _ outbox.Finder = (*outboxTransport)(nil)

// Send posts r with chat.postMessage, carrying its key in the message's
// metadata, and returns its ts. Its errors say what Slack did: RetryAfter
// for a 429, NotSent when the request never reached Slack or Slack refused
// it without posting (not_in_channel, say), Refused when it never will
// (the channel is gone), and unwrapped when the outcome is unknown.
func (t *outboxTransport) Send(ctx context.Context, r outbox.Row) (string, error) {
	ts, err := t.post(ctx, r)
	if err != nil && r.Attempts == 1 {
		t.tellWhyNot(ctx, r, err)
	}
	return ts, err
}

// post sends r, as Send says.
func (t *outboxTransport) post(ctx context.Context, r outbox.Row) (string, error) {
	var body postBody
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return "", outbox.Refused(fmt.Errorf("decode %s: %w", r, err))
	}
	api, team, err := t.client(ctx, r)
	if err != nil {
		return "", err
	}
	channel, err := t.conversation(ctx, api, team, r)
	if err != nil {
		return "", err
	}
	payload := map[string]any{"key": r.Key}
	if body.Window != "" {
		// A click on it without its record finds the window here (reminderRecord).
		payload["launch_id"], payload["window"] = r.LaunchID, body.Window
	}
	meta := slack.SlackMetadata{EventType: PostEventType, EventPayload: payload}
	opts := append(messageOptions(body.message()), slack.MsgOptionMetadata(meta))
	posted, ts, err := api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", postFailure(fmt.Errorf("post %s%s: %w", r, inWorkspace(team), err))
	}
	if body.Approval != nil {
		t.approvalSent(ctx, r, *body.Approval, channel, ts)
	}
	if body.Window != "" {
		t.reminderSent(ctx, r, body.Window, posted, ts)
	}
	t.sent(team, r)
	return ts, nil
}

// approvalSent records an approval request DM just sent as the one its
// answer updates in place, unless a newer request of the role was recorded
// meanwhile (this one waited for a retry): its buttons are out of date then.
// With the DMs recorded, the launch's reminders are planned again: holders
// who do not answer are nudged daily from tomorrow on (schedule.Asks).
func (t *outboxTransport) approvalSent(ctx context.Context, r outbox.Row, a approvalBody, channel, ts string) {
	log := t.b.log.With("launch", r.LaunchID, "role", a.Role)
	asked := time.UnixMilli(a.AskedAt).UTC()
	prev, err := t.b.store.ApprovalDM(ctx, r.LaunchID, a.Role)
	switch {
	case err == nil && prev.AskedAt.After(asked):
		log.Info("approval DM sent after a newer one; not recorded")
		return
	case err != nil && launch.ErrorCode(err) != launch.ENOTFOUND:
		log.Error("find the approval DM", "err", err)
	}
	dm := launch.ApprovalDM{LaunchID: r.LaunchID, Role: a.Role, Holder: r.User, ChannelID: channel, TS: ts, AskedAt: asked}
	if err := t.b.store.SaveApprovalDM(ctx, dm); err != nil {
		// The DM stands; its answer will not redraw it.
		log.Error("record the approval DM", "err", err)
	}
	t.b.syncReminders(log, r.LaunchID)
}

// reminderSent records a window's reminder just sent as a live message.
// The post went out: failing to record it must not send it again, and a
// click on it still finds the window from the message's metadata.
func (t *outboxTransport) reminderSent(ctx context.Context, r outbox.Row, window, channel, ts string) {
	m := launch.Message{LaunchID: r.LaunchID, ChannelID: channel, TS: ts, Kind: launch.MessageReminder, View: window, PostedAt: t.b.now()}
	if err := t.b.store.SaveMessage(ctx, m); err != nil {
		t.b.log.Error("record reminder message", "launch", r.LaunchID, "post", r.String(), "err", err)
	}
}

// postWords name each kind of post for the launch's creator.
var postWords = map[string]string{
	launch.PostAnnouncement: "the GO / NO-GO announcement",
	launch.PostStaleNotice:  "the notice that the announced GO no longer stands",
	launch.PostNotice:       "a notice for the channel",
	launch.PostImportNotice: "the notice that the launch started",
	launch.PostUpdateNotice: "the notice that the checklist was updated",
	launch.PostApprovalDM:   "the approval request",
	launch.PostNADM:         "the request to confirm an item as not applicable",
	launch.PostReminder:     "a reminder",
}

// whyNot says, for the launch's creator, why Slack will not take a post
// until someone acts, by Slack's error code; "" for the errors nobody in
// the workspace can do anything about (they are logged).
func whyNot(r outbox.Row, code string) string {
	switch {
	case code == "not_in_channel":
		return "I am not a member of its channel. Add me with `/invite @golive` there: I keep trying for a day, so it goes out once I am in."
	case r.Channel != "" && (code == "channel_not_found" || code == "is_archived"):
		return fmt.Sprintf("its channel is archived or gone, or I cannot see it (Slack says `%s`), so I have given up on it.", code)
	case r.User != "" && refusedForGood[code]:
		return fmt.Sprintf("Slack does not let me send <@%s> a direct message (it says `%s`), so I have given up on it. Ask them in person, or give their role to someone else.", r.User, code)
	}
	return ""
}

// tellWhyNot tells the launch's creator, by DM, when Slack refuses a post
// for a reason people can act on: once per post, at its first attempt, so
// that nobody waits for an announcement or an approval request that is not
// coming. Best effort: if this DM fails too, the log and the outbox metrics
// say it all.
func (t *outboxTransport) tellWhyNot(ctx context.Context, r outbox.Row, err error) {
	why := whyNot(r, slackErrorCode(err))
	if why == "" {
		return
	}
	log := t.b.log.With("launch", r.LaunchID, "post", r.String())
	l, err := t.b.store.LaunchByID(ctx, r.LaunchID)
	if err != nil {
		log.Error("find the launch to tell why a post failed", "err", err)
		return
	}
	if l.Creator == r.User {
		return // the DM that failed was to the creator: no way to reach them
	}
	text := fmt.Sprintf("I could not post %s of the launch “%s”: %s", postWords[r.Kind], inert(l.Name), why)
	api := t.b.api(ctx, l.TeamID)
	im, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{l.Creator}})
	if err == nil {
		_, _, err = api.PostMessageContext(ctx, im.ID, messageOptions(render.Notice(text))...)
	}
	if err != nil {
		log.Error("tell the launch's creator why a post failed", "err", err)
	}
}

// conversation is where r goes: its channel, or its user's DM, opened with
// conversations.open, which posts nothing and so is safe to repeat. team is
// the client's workspace, named in errors.
func (t *outboxTransport) conversation(ctx context.Context, api *slack.Client, team string, r outbox.Row) (string, error) {
	if r.Channel != "" {
		return r.Channel, nil
	}
	im, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{r.User}})
	if err == nil {
		return im.ID, nil
	}
	err = fmt.Errorf("open a DM for %s%s: %w", r, inWorkspace(team), err)
	var limited *slack.RateLimitedError
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &limited):
		return "", outbox.RetryAfter(limited.RetryAfter, err)
	case errors.As(err, &se) && refusedForGood[se.Err]:
		return "", outbox.Refused(err)
	}
	return "", outbox.NotSent(err)
}

// inWorkspace names team in an error, so that the log of a post held by one
// workspace's rate limits says which: "" for the single workspace.
func inWorkspace(team string) string {
	if team == "" {
		return ""
	}
	return " in workspace " + team
}

// sent does what follows a delivered post of some kinds, in team: a launch
// created or updated from the shell gets its reminders planned, and its
// messages redrawn, once the channel has been told.
func (t *outboxTransport) sent(team string, r outbox.Row) {
	switch r.Kind {
	case launch.PostImportNotice, launch.PostUpdateNotice:
		t.b.syncReminders(t.b.log.With("launch", r.LaunchID), r.LaunchID)
		t.b.refreshLaunch(team, r.LaunchID, "")
	}
}

// historyPages bounds the pages of conversations.history one look-up reads.
const historyPages = 5

// Find looks for r in its conversation's history since shortly before it
// was enqueued, by the key in its metadata. It needs the history scopes
// (GOLIVE_SLACK_HISTORY).
func (t *outboxTransport) Find(ctx context.Context, r outbox.Row) (string, bool, error) {
	api, team, err := t.client(ctx, r)
	if err != nil {
		return "", false, err
	}
	channel, err := t.conversation(ctx, api, team, r)
	if err != nil {
		return "", false, err
	}
	params := &slack.GetConversationHistoryParameters{
		ChannelID:          channel,
		Oldest:             slackTS(r.CreatedAt.Add(-time.Minute)),
		Limit:              100,
		IncludeAllMetadata: true,
	}
	for range historyPages {
		page, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, fmt.Errorf("look for %s: %w", r, err)
		}
		for _, m := range page.Messages {
			if m.Metadata.EventType == PostEventType && m.Metadata.EventPayload["key"] == r.Key {
				return m.Timestamp, true, nil
			}
		}
		if !page.HasMore || page.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		params.Cursor = page.ResponseMetaData.NextCursor
	}
	return "", false, fmt.Errorf("look for %s: more than %d pages of history since it was enqueued", r, historyPages)
}

// slackTS writes t as a Slack timestamp, "1700000000.000000".
func slackTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + ".000000"
}

// refusedForGood are the Slack errors of chat.postMessage or
// conversations.open after which the post never goes through: the
// conversation or person is gone, or the message itself is refused.
var refusedForGood = map[string]bool{
	"channel_not_found":       true,
	"is_archived":             true,
	"user_not_found":          true,
	"user_disabled":           true,
	"cannot_dm_bot":           true,
	"messages_tab_disabled":   true,
	"invalid_blocks":          true,
	"invalid_blocks_format":   true,
	"msg_too_long":            true,
	"no_text":                 true,
	"invalid_metadata_format": true,
	"invalid_metadata_schema": true,
	"metadata_too_large":      true,
	"restricted_action":       true,
}

// outcomeUnknown are Slack errors that, by Slack's docs, may come after part
// of the operation took effect.
var outcomeUnknown = map[string]bool{
	"internal_error": true,
	"fatal_error":    true,
}

// postFailure says what a failed chat.postMessage did, for the outbox.
func postFailure(err error) error {
	var limited *slack.RateLimitedError
	if errors.As(err, &limited) {
		return outbox.RetryAfter(limited.RetryAfter, err)
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch {
		case refusedForGood[se.Err]:
			return outbox.Refused(err)
		case outcomeUnknown[se.Err]:
			return err
		default:
			// ok:false (not_in_channel, invalid_auth, ...): Slack answered
			// and posted nothing; it may work later.
			return outbox.NotSent(err)
		}
	}
	if notSentYet(err) {
		return outbox.NotSent(err)
	}
	// A 5xx, a timeout, a connection cut after the request went out: Slack
	// may have posted it.
	return err
}

// notSentYet tells whether err failed the request before any of it was
// sent: no connection could be made, the name did not resolve, or the
// call was fenced and had not left in time (FenceTransport).
func notSentYet(err error) bool {
	if errors.Is(err, errPastDeadline) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// postsOnce are the Web API methods each call of which posts something
// new: sent again after an unknown outcome, they post twice.
var postsOnce = map[string]bool{
	"chat.postMessage":             true,
	"chat.postEphemeral":           true,
	"chat.scheduleMessage":         true,
	"files.completeUploadExternal": true,
}

// SlackRetryConfig returns base with handlers that retry connection errors
// and 5xx answers, except for the methods that post something new: those
// are retried only when the request never left (no connection could be
// made). A chat.postMessage answered 500, timed out or cut after sending
// may have been posted; the outbox decides what to do with it, not the
// client. 429s are left to the bot (RateLimits).
func SlackRetryConfig(base slack.RetryConfig) slack.RetryConfig {
	base.Handlers = []slack.RetryHandler{onlySafeRetries{next: append(slack.ConnectionOnlyRetryHandlers(), slack.NewServerErrorRetryHandler(base))}}
	return base
}

// onlySafeRetries lets next retry a call unless the call may have posted.
type onlySafeRetries struct{ next []slack.RetryHandler }

func (h onlySafeRetries) ShouldRetry(state *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if postsOnce[path.Base(req.URL.Path)] && (resp != nil || !notSentYet(err)) || errors.Is(err, errPastDeadline) {
		return false, 0
	}
	for _, n := range h.next {
		if ok, wait := n.ShouldRetry(state, req, resp, err); ok {
			return true, wait
		}
	}
	return false, 0
}

// errPastDeadline refuses a fenced call that had not left in time.
var errPastDeadline = errors.New("not sent: the call had not left by the end of its bound, and its post may be another sender's by now")

// FenceTransport returns next refusing, just before it sends, a fenced
// call (outbox.Fenced: a post delivery sends while it looks posts up) once
// now, the sender's clock, has reached the instant it was fenced by. A
// process resumed after SIGSTOP must not send a post its claim no longer
// covers: another sender may have sent it meanwhile. (A context's Done
// channel would not do: a timer closes it, which may not have run yet
// when the process goes on.) What stays open is the moment between this
// check and the request's bytes leaving: a few microseconds, which nothing
// on this side can close, since Slack takes no fencing token.
func FenceTransport(next http.RoundTripper, now func() time.Time) http.RoundTripper {
	return fenceTransport{next: next, now: now}
}

type fenceTransport struct {
	next http.RoundTripper
	now  func() time.Time
}

func (t fenceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if by, ok := outbox.FencedBy(req.Context()); ok && !t.now().Before(by) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%s: %w", path.Base(req.URL.Path), errPastDeadline)
	}
	return t.next.RoundTrip(req)
}

// pokingStore is the bot's store. Every change it stores also tells the
// channel what the domain says the change tells it (tellNotices: a
// sign-off voided, a decision, an announced GO gone stale), so that no
// handler can forget it; and a change that told posts (launch.Tell), which
// wait in the outbox from the commit on, wakes the outbox sender once
// committed. A change that told nothing (most ticks) leaves it asleep.
type pokingStore struct {
	Store
	b *Bot
}

// telling wraps a store call's changes: each tells its notices when it
// succeeded, worded as of now, and told records whether any change told a
// post.
type telling struct {
	now  func() time.Time
	told atomic.Bool
}

func (t *telling) wrap(fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
	return func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		events, err := fn(l, now)
		if err == nil {
			err = tellNotices(l, now, t.now())
		}
		if err != nil {
			return nil, err
		}
		if l.Telling() {
			t.told.Store(true)
		}
		return events, nil
	}
}

// poke wakes the sender after a call that stored what its changes told.
func (s pokingStore) poke(t *telling, err error) error {
	if err == nil && t.told.Load() {
		s.b.pokeOutbox()
	}
	return err
}

func (s pokingStore) CreateLaunch(ctx context.Context, l *launch.Launch, by string) error {
	t := &telling{now: s.b.now}
	t.told.Store(l.Telling())
	return s.poke(t, s.Store.CreateLaunch(ctx, l, by))
}

func (s pokingStore) CreateLaunchFromDraft(ctx context.Context, l *launch.Launch, by, token string) error {
	t := &telling{now: s.b.now}
	t.told.Store(l.Telling())
	return s.poke(t, s.Store.CreateLaunchFromDraft(ctx, l, by, token))
}

func (s pokingStore) Update(ctx context.Context, id int64, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	t := &telling{now: s.b.now}
	l, err := s.Store.Update(ctx, id, t.wrap(fn))
	return l, s.poke(t, err)
}

func (s pokingStore) UpdateOnce(ctx context.Context, id int64, team, request string,
	fn func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error)) (*launch.Launch, error) {
	t := &telling{now: s.b.now}
	l, err := s.Store.UpdateOnce(ctx, id, team, request, func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
		return t.wrap(func(l *launch.Launch, now time.Time) ([]launch.Event, error) { return fn(l, now, replay) })(l, now)
	})
	return l, s.poke(t, err)
}

func (s pokingStore) UpdateFromDraft(ctx context.Context, id int64, token string, fn func(l *launch.Launch, now time.Time) ([]launch.Event, error)) (*launch.Launch, error) {
	t := &telling{now: s.b.now}
	l, err := s.Store.UpdateFromDraft(ctx, id, token, t.wrap(fn))
	return l, s.poke(t, err)
}

func (s pokingStore) UpdateMany(ctx context.Context, batch []launch.Changes) ([][]error, error) {
	t := &telling{now: s.b.now}
	wrapped := make([]launch.Changes, len(batch))
	for i, lc := range batch {
		wrapped[i] = launch.Changes{ID: lc.ID, Fns: make([]func(*launch.Launch, time.Time) ([]launch.Event, error), len(lc.Fns))}
		for j, fn := range lc.Fns {
			wrapped[i].Fns[j] = t.wrap(fn)
		}
	}
	errs, err := s.Store.UpdateMany(ctx, wrapped)
	return errs, s.poke(t, err)
}

// client returns the Web API client of the team of r's launch, and that
// team ("" for the single workspace of SLACK_BOT_TOKEN). A team golive is
// not installed in (any more) is refused for good: nobody else's token may
// send it, and no retry would bring the team's own back.
func (t *outboxTransport) client(ctx context.Context, r outbox.Row) (*slack.Client, string, error) {
	if !t.b.distributed {
		api, err := t.b.workspaces.Client(ctx, "")
		return api, "", err
	}
	l, err := t.b.store.LaunchByID(ctx, r.LaunchID)
	if err != nil {
		return nil, "", outbox.NotSent(fmt.Errorf("find the launch of %s: %w", r, err))
	}
	api, err := t.b.workspaces.Client(ctx, l.TeamID)
	switch {
	case errors.Is(err, workspace.ErrNotInstalled):
		return nil, "", outbox.Refused(fmt.Errorf("%s: workspace %s: %w", r, l.TeamID, err))
	case err != nil:
		return nil, "", outbox.NotSent(fmt.Errorf("%s: workspace %s: %w", r, l.TeamID, err))
	}
	return api, l.TeamID, nil
}
