package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/internal/metrics"
)

// ApprovalStore is what approvals need from persistence besides launches:
// the DM that asked each role's holder, so that it is updated in place, and
// the stale notices already posted, so that each is posted once.
type ApprovalStore interface {
	// SaveApprovalDM records the DM that asked a role's holder, replacing
	// the one recorded for that launch and role.
	SaveApprovalDM(ctx context.Context, dm launch.ApprovalDM) error
	// ApprovalDM returns the DM that last asked the holder of a launch's
	// role, or ENOTFOUND.
	ApprovalDM(ctx context.Context, launchID int64, role string) (launch.ApprovalDM, error)
	// ApprovalDMs returns the DMs that asked a launch's role holders.
	ApprovalDMs(ctx context.Context, launchID int64) ([]launch.ApprovalDM, error)
	// Told tells whether a post with this key is in the outbox, delivered
	// or not.
	Told(ctx context.Context, key string) (bool, error)
}

// modalTimeout bounds opening a modal: its trigger id is dead after 3 s anyway.
const modalTimeout = 10 * time.Second

// Messages of refused answers. Each says that nothing was recorded.
const (
	msgNotMine      = "This button is not one golive made, or it is out of date; nothing was recorded."
	msgLaunchGone   = "The launch this approval request is about no longer exists; nothing was recorded."
	msgAlreadyGiven = "Your answer is already recorded; nothing changed."
	msgReplayed     = "This request was already received once; a repeat of it is refused, and nothing was recorded."
	msgSuperseded   = "This approval request was already answered, or a newer one replaced it; nothing was recorded. " +
		"Answer with the buttons of the latest approval message golive sent you."
)

// cmdApprovals asks every role holder for their answer by DM. The launch's
// creator and the role holders may; roles nobody holds are named, and never
// count as approved.
func (b *Bot) cmdApprovals(ctx context.Context, c *call, _ []string) reply {
	askedAt := b.now()
	l, asked, err := changeWith(b, ctx, c, func(l *launch.Launch, now time.Time) ([]string, []launch.Event, error) {
		roles, events, err := l.RequestApprovals(c.user, now)
		if err != nil {
			return nil, nil, err
		}
		// The DMs are stored with the request, for the outbox to send.
		var asked []string
		for _, r := range roles {
			key := launch.PostKey(launch.PostApprovalDM, l.ID, launch.InstantKey(now)+":"+strconv.Itoa(slices.Index(l.Checklist.Roles, r)))
			if err := tellApprovalDM(l, r, key, askedAt); err != nil {
				return nil, nil, err
			}
			asked = append(asked, fmt.Sprintf("%s (<@%s>)", inert(r.Name), r.Holder))
		}
		return asked, events, nil
	})
	if err != nil {
		return b.fail(c, err)
	}
	text := fmt.Sprintf("<@%s> asked for approvals by DM: %s.", c.user, strings.Join(asked, ", "))
	if unheld := l.Unheld(); len(unheld) > 0 {
		for i, name := range unheld {
			unheld[i] = inert(name)
		}
		text += fmt.Sprintf(" Nobody holds %s: not counted as approved until someone does and answers (`role \"<Role Name>\" @user`).",
			strings.Join(unheld, ", "))
	}
	msg := render.Notice(text)
	return reply{msg: &msg, inChannel: true}
}

// tellApprovalDM tells r's holder, by DM, the approval request of l asked
// at askedAt (or, when they have answered, their answer with the buttons to
// change it: a new round opens answers again). Once sent, the outbox's
// transport records it as the DM to update in place (approvalSent).
func tellApprovalDM(l *launch.Launch, r *checklist.Role, key string, askedAt time.Time) error {
	body, err := approvalDMBody(l, r, askedAt)
	if err != nil {
		return err
	}
	l.Tell(launch.Post{Key: key, Kind: launch.PostApprovalDM, User: r.Holder, Body: body})
	return nil
}

// approvalDMBody is the outbox body of the approval request DM of r asked
// at askedAt: the request, or the answer given with the buttons to change it.
func approvalDMBody(l *launch.Launch, r *checklist.Role, askedAt time.Time) ([]byte, error) {
	msg := render.ApprovalRequest(l, r, askedAt)
	if r.Verdict != checklist.VerdictPending && r.Verdict != "" {
		msg = render.ApprovalAnswered(l, r, true, askedAt)
	}
	body, err := json.Marshal(postBody{Text: msg.Text, Blocks: slack.Blocks{BlockSet: msg.Blocks},
		Approval: &approvalBody{Role: r.Name, AskedAt: askedAt.UnixMilli()}})
	if err != nil {
		return nil, fmt.Errorf("encode the approval DM: %w", err)
	}
	return body, nil
}

// onApproval handles the approval DM's buttons: Approve records the answer
// at once; the other two open a modal for the conditions or the reason.
func (b *Bot) onApproval(ctx context.Context, k *click, a *slack.BlockAction) metrics.Outcome {
	ref, err := render.ParseApprovalRef(a.Value)
	if err != nil {
		k.log.Warn("approval-refused", "reason", "malformed button value", "err", err)
		b.tellClicker(k, msgNotMine)
		return metrics.Invalid
	}
	switch a.ActionID {
	case render.ActionApprove:
		res, err := b.recordAnswer(ctx, k, ref, checklist.VerdictApproved, "")
		if err != nil {
			b.tellClicker(k, userMessage(err))
			return outcomeOf(err)
		}
		b.afterAnswer(k, res)
		return metrics.OK
	case render.ActionConditions, render.ActionReject:
		return b.openNoteModal(ctx, k, ref, a.ActionID)
	default:
		k.log.Warn("approval-refused", "reason", "unknown action")
		b.tellClicker(k, msgNotMine)
		return metrics.Invalid
	}
}

// openNoteModal checks that the clicker may answer for the role, then opens
// the conditions or reject modal (the click's trigger_id lasts 3 s). The
// check records the click like an answer, so a replay of it opens nothing.
func (b *Bot) openNoteModal(ctx context.Context, k *click, ref render.ApprovalRef, action string) metrics.Outcome {
	type checked struct {
		l       *launch.Launch
		refused error
	}
	got, err := withinValue(b, ctx, func(ctx context.Context) (checked, error) {
		var refused error
		asked := b.askedAt(ctx, ref, k.user)
		l, err := b.updateOnce(ctx, k, ref.LaunchID, func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
			if refused = answerRefusal(l, k, ref, asked, now, replay); refused != nil {
				return []launch.Event{refusalEvent(k.user, ref.Role, refused)}, nil
			}
			return nil, nil
		})
		return checked{l, refused}, err
	})
	if err != nil {
		err = b.failedAnswer(k, ref, err)
		b.tellClicker(k, userMessage(err))
		return outcomeOf(err)
	}
	if got.refused != nil {
		k.log.Warn("approval-refused", "launch", ref.LaunchID, "code", launch.ErrorCode(got.refused))
		b.tellClicker(k, userMessage(got.refused))
		return outcomeOf(got.refused)
	}
	r, _ := got.l.Role(ref.Role)
	view := render.RejectModal(ref, noteOf(r, checklist.VerdictRejected))
	if action == render.ActionConditions {
		view = render.ConditionsModal(ref, noteOf(r, checklist.VerdictConditional))
	}
	// At once, not queued behind other work: the trigger id expires.
	b.urgent(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, modalTimeout)
		defer cancel()
		if _, err := b.api(ctx, k.team).OpenViewContext(ctx, k.triggerID, view); err != nil {
			k.log.Error("open approval modal", "err", err)
			b.tellClicker(k, "Slack did not open the form in time; please click the button again.")
		}
	})
	return metrics.OK
}

// updateOnce runs fn on launch id in the transaction that records k's
// request, refusing a request of another team (as a launch that does not
// exist, changing nothing) and one without a trigger id: Slack gives every
// click and submission one, and without it a replay cannot be told apart.
func (b *Bot) updateOnce(ctx context.Context, k *click, id int64,
	fn func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error)) (*launch.Launch, error) {
	if k.triggerID == "" {
		k.log.Warn("approval-refused", "reason", "no trigger id")
		return nil, launch.Errorf(launch.EINVALID, msgNotMine)
	}
	return b.store.UpdateOnce(ctx, id, k.team, k.triggerID, func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
		if l.TeamID != k.team {
			return nil, launch.Errorf(launch.ENOTFOUND, msgLaunchGone)
		}
		return fn(l, now, replay)
	})
}

// answerRefusal tells why k's request cannot answer ref's role now, nil
// when it can: a replay of a request already received; a clicker who may
// not answer (mayAnswer); an answer frozen by an announcement; or a
// request older than the role's latest (another answer, or a new holder,
// came after it was drawn), which must not undo what came later.
func answerRefusal(l *launch.Launch, k *click, ref render.ApprovalRef, asked, now time.Time, replay bool) error {
	if replay {
		return launch.Errorf(launch.ECONFLICT, msgReplayed)
	}
	if err := mayAnswer(l, k.team, k.user, ref.Role); err != nil {
		return err
	}
	if err := l.AnswerFrozen(ref.Role, asked, now); err != nil {
		return err
	}
	if r, _ := l.Role(ref.Role); r.Version != ref.Version {
		return launch.Errorf(launch.ECONFLICT, msgSuperseded)
	}
	return nil
}

// failedAnswer logs why recording an answer's request failed, and returns
// the error to tell the clicker: a launch gone, or of another team, is
// msgLaunchGone.
func (b *Bot) failedAnswer(k *click, ref render.ApprovalRef, err error) error {
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		k.log.Warn("approval-refused", "reason", "launch not found", "launch", ref.LaunchID)
		return launch.Errorf(launch.ENOTFOUND, msgLaunchGone)
	}
	if outcomeOf(err) == metrics.Failed {
		k.log.Error("record answer", "launch", ref.LaunchID, "err", err)
	}
	return err
}

// noteOf returns the role's note when its verdict is v: what the modal
// shows to edit.
func noteOf(r *checklist.Role, v checklist.Verdict) string {
	if r.Verdict == v {
		return r.Note
	}
	return ""
}

// askedAt returns when user was last asked for the role's answer, zero
// when no DM to them is recorded.
func (b *Bot) askedAt(ctx context.Context, ref render.ApprovalRef, user string) time.Time {
	dm, err := b.store.ApprovalDM(ctx, ref.LaunchID, ref.Role)
	if err != nil || dm.Holder != user {
		return time.Time{}
	}
	return dm.AskedAt
}

// onConditionsSubmit records an approval with the conditions typed in the modal.
func (b *Bot) onConditionsSubmit(ctx context.Context, k *click) (any, metrics.Outcome) {
	return b.submitNote(ctx, k, checklist.VerdictConditional, "Say what the conditions are.")
}

// onRejectSubmit records a rejection with the reason typed in the modal.
func (b *Bot) onRejectSubmit(ctx context.Context, k *click) (any, metrics.Outcome) {
	return b.submitNote(ctx, k, checklist.VerdictRejected, "Say why you reject the launch.")
}

// submitNote records the verdict of a modal. A refusal or a missing note is
// shown on the modal's field, where the user is looking.
func (b *Bot) submitNote(ctx context.Context, k *click, v checklist.Verdict, empty string) (any, metrics.Outcome) {
	fieldError := func(text string) *slack.ViewSubmissionResponse {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{render.NoteBlock: text})
	}
	ref, err := render.ParseApprovalRef(k.cb.View.PrivateMetadata)
	if err != nil {
		k.log.Warn("approval-refused", "reason", "malformed modal metadata", "err", err)
		return fieldError(msgNotMine), metrics.Invalid
	}
	var note string
	if st := k.cb.View.State; st != nil {
		note = strings.TrimSpace(launch.StripBidi(st.Values[render.NoteBlock][render.NoteAction].Value))
	}
	switch {
	case note == "":
		return fieldError(empty), metrics.Invalid
	case len([]rune(note)) > render.NoteMax:
		return fieldError(fmt.Sprintf("Keep it under %d characters.", render.NoteMax)), metrics.Invalid
	}
	res, err := b.recordAnswer(ctx, k, ref, v, note)
	if err != nil {
		return fieldError(userMessage(err)), outcomeOf(err)
	}
	b.afterAnswer(k, res)
	return nil, metrics.OK
}

// answered is what recording an answer did.
type answered struct {
	l    *launch.Launch
	role string
	// changed is false for a repeated answer (a double click, a replay).
	changed bool
	// announced is true when this answer was the last one and the decision
	// was announced with it.
	announced bool
}

// recordAnswer stores the clicker's verdict for the role, in one
// transaction with its audit row and the record of the request, before the
// acknowledgement. Only the role's holder, identified by the verified
// payload, may answer, and only the role's latest request; any other
// attempt, and a replay of a request already received (by any golive on
// the database, before a restart or not), is refused, recorded in the audit
// log as "approval-refused", and changes nothing. When the answer is the
// last one, a decision is due (launch.RecordAnswer), and announced in the
// same transaction: exactly one of two answers arriving together sees
// itself last.
func (b *Bot) recordAnswer(ctx context.Context, k *click, ref render.ApprovalRef, v checklist.Verdict, note string) (answered, error) {
	// recorded is what the transaction saw: the answer, or why it was refused.
	type recorded struct {
		res     answered
		refused error
	}
	rec, err := changeWithin(b, ctx, func(ctx context.Context) (recorded, error) {
		res := answered{role: ref.Role}
		var refused error
		asked := b.askedAt(ctx, ref, k.user)
		l, err := b.updateOnce(ctx, k, ref.LaunchID, func(l *launch.Launch, now time.Time, replay bool) ([]launch.Event, error) {
			refused = nil
			res.changed, res.announced = false, false
			if !replay && mayAnswer(l, k.team, k.user, ref.Role) == nil {
				if r, _ := l.Role(ref.Role); r.Verdict == v && r.Note == note {
					res.role = r.Name
					return nil, nil // a double click: this is the answer already
				}
			}
			if refused = answerRefusal(l, k, ref, asked, now, replay); refused != nil {
				return []launch.Event{refusalEvent(k.user, ref.Role, refused)}, nil
			}
			r, _ := l.Role(ref.Role)
			res.role = r.Name
			events, err := l.RecordAnswer(k.user, r.Name, v, note, now)
			if err != nil {
				return nil, err
			}
			res.changed = true
			res.announced = slices.ContainsFunc(events, func(e launch.Event) bool { return e.Kind == launch.KindAnnounce })
			return events, nil
		})
		res.l = l
		return recorded{res, refused}, err
	})
	if err != nil {
		return answered{}, b.failedAnswer(k, ref, err)
	}
	res := rec.res
	if rec.refused != nil {
		k.log.Warn("approval-refused", "launch", ref.LaunchID, "code", launch.ErrorCode(rec.refused))
		return res, rec.refused
	}
	if !res.changed {
		return res, launch.Errorf(launch.ECONFLICT, msgAlreadyGiven)
	}
	return res, nil
}

// mayAnswer tells whether user may answer for the role: the launch is in
// the user's team and not archived, the role exists and the user holds it
// (launch.CanAnswer). Whether the answer may still change is
// launch.AnswerFrozen's to say.
func mayAnswer(l *launch.Launch, team, user, role string) error {
	if l.TeamID != team {
		return launch.Errorf(launch.ENOTFOUND, msgLaunchGone)
	}
	if l.Archived {
		return launch.Errorf(launch.ECONFLICT, "The launch “%s” is archived: its decision is closed, and nothing was recorded.", l.Name)
	}
	if _, err := l.Role(role); err != nil {
		return launch.Errorf(launch.ENOTFOUND, "The launch “%s” has no role “%s” any more; nothing was recorded.", l.Name, role)
	}
	return l.CanAnswer(user, role)
}

// refusalEvent is the audit row of a refused answer.
func refusalEvent(user, role string, why error) launch.Event {
	return launch.Event{Actor: user, Kind: launch.KindApprovalRefused, Role: role,
		After: launch.ErrorCode(why) + ": " + launch.ErrorMessage(why)}
}

// afterAnswer shows an answer, after the acknowledgement: the holder's DM
// updated in place, the launch's live messages refreshed (which also tells
// the channel when a GO no longer stands), and, when the answer was the
// last, every approval DM redrawn with its answer frozen (the announcement
// itself waits in the outbox, stored with the answer).
func (b *Bot) afterAnswer(k *click, res answered) {
	l := res.l
	r, err := l.Role(res.role)
	if err != nil {
		return
	}
	b.refreshLaunch(l.TeamID, l.ID, fmt.Sprintf("<@%s> answered for %s: %s", k.user, inert(r.Name), r.Verdict))
	if res.announced {
		// The announcement itself went into the outbox with the answer.
		b.freezeDMs(k.log, l)
		return
	}
	b.later(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, slackTimeout)
		defer cancel()
		b.updateDM(ctx, k.log, l, r.Name, k)
	})
}

// updateDM redraws the holder's approval DM with their answer: the DM
// recorded for the role, and the message clicked when it is another one
// (an older request, since replaced by a nudge), so that the answer shows
// where it was given.
//
// The redraws of one launch's DMs take turns in this process, each drawn
// from the launch as stored when its turn starts; and a redraw that finds
// the launch changed once it is sent (by another replica, whose redraw may
// have landed first) draws again: a redraw drawn before an announcement
// cannot stay over the one that froze the answers. l is used only when
// the store cannot be read.
func (b *Bot) updateDM(ctx context.Context, log *slog.Logger, l *launch.Launch, role string, k *click) {
	turn := &b.dmTurns[uint64(l.ID)%uint64(len(b.dmTurns))]
	turn.Lock()
	defer turn.Unlock()
	for range maxRedraws {
		// The version is read before the launch, as a refresh does.
		version, verr := b.store.LaunchVersion(ctx, l.ID)
		if fresh, err := b.store.LaunchByID(ctx, l.ID); err == nil {
			l = fresh
		} else {
			log.Warn("reload launch for its approval DM", "launch", l.ID, "err", err)
		}
		if !b.drawDM(ctx, log, l, role, k) || verr != nil {
			return
		}
		if latest, err := b.store.LaunchVersion(ctx, l.ID); err != nil || latest == version {
			return
		}
	}
}

// maxRedraws bounds the draws of one DM redraw that keeps finding its
// launch changed: each change redraws it anyway.
const maxRedraws = 3

// drawDM draws the approval DM of role from l, and tells whether it
// updated any message.
func (b *Bot) drawDM(ctx context.Context, log *slog.Logger, l *launch.Launch, role string, k *click) bool {
	r, err := l.Role(role)
	if err != nil {
		return false
	}
	var targets []launch.ApprovalDM
	dm, err := b.store.ApprovalDM(ctx, l.ID, r.Name)
	switch {
	case err == nil && dm.Holder == r.Holder:
		targets = append(targets, dm)
	case err != nil && launch.ErrorCode(err) != launch.ENOTFOUND:
		log.Error("find approval DM", "launch", l.ID, "err", err)
	}
	if k != nil && k.messageTS != "" && k.channel != "" {
		clicked := launch.ApprovalDM{ChannelID: k.channel, TS: k.messageTS}
		if len(targets) == 0 || targets[0].ChannelID != clicked.ChannelID || targets[0].TS != clicked.TS {
			targets = append(targets, clicked)
		}
	}
	if len(targets) == 0 {
		return false
	}
	var msg render.Message
	if r.Verdict == checklist.VerdictPending || r.Verdict == "" {
		msg = render.ApprovalRequest(l, r, b.now())
	} else {
		msg = render.ApprovalAnswered(l, r, l.AnswerFrozen(r.Name, targets[0].AskedAt, b.now()) == nil, b.now())
	}
	updated := false
	for _, t := range targets {
		if _, _, _, err := b.api(ctx, l.TeamID).UpdateMessageContext(ctx, t.ChannelID, t.TS, messageOptions(msg)...); err != nil {
			log.Warn("update approval DM", "launch", l.ID, "role", r.Name, "err", err)
			continue
		}
		updated = true
	}
	return updated
}

// updateDMs redraws every recorded approval DM of the launch whose holder
// still holds the role: after an announcement their answers are frozen.
func (b *Bot) updateDMs(ctx context.Context, log *slog.Logger, l *launch.Launch) {
	dms, err := b.store.ApprovalDMs(ctx, l.ID)
	if err != nil {
		log.Error("list approval DMs", "launch", l.ID, "err", err)
		return
	}
	for _, dm := range dms {
		r, err := l.Role(dm.Role)
		if err != nil || r.Holder != dm.Holder {
			continue
		}
		b.updateDM(ctx, log, l, r.Name, nil)
	}
}
