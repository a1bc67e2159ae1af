package bot

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

const tokenHow = "Say `token create \"<name>\"` to make an API token for a pipeline, `token list` to see the launch's tokens, or `token revoke \"<name>\"` to end one."

// cmdToken manages the launch's API tokens: token create "<name>", token
// list, token revoke "<name>". A token lets a pipeline report evidence on
// the launch's items through the API (`golive report`).
func (b *Bot) cmdToken(ctx context.Context, c *call, args []string) reply {
	if len(args) == 0 {
		return b.usage(c, "token", tokenHow)
	}
	verb, rest := strings.ToLower(args[0]), args[1:]
	switch {
	case verb == "list" && len(rest) == 0:
		return b.tokenList(ctx, c)
	case verb == "create" && len(rest) == 1:
		return b.tokenCreate(ctx, c, rest[0])
	case verb == "revoke" && len(rest) == 1:
		return b.tokenRevoke(ctx, c, rest[0])
	}
	return b.usage(c, "token", tokenHow)
}

// tokenCreate makes a token and shows its secret once, to its creator
// alone: golive keeps only the secret's hash.
func (b *Bot) tokenCreate(ctx context.Context, c *call, name string) reply {
	if err := launch.CheckTokenName(name); err != nil {
		return b.fail(c, err)
	}
	secret, err := launch.NewTokenSecret(rand.Reader)
	if err != nil {
		return b.fail(c, err)
	}
	type created struct {
		l *launch.Launch
		t launch.Token
	}
	got, err := changeWithin(b, ctx, func(ctx context.Context) (created, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		if err != nil {
			return created{}, noLaunchHere(err)
		}
		if err := b.firstCommand(ctx, c); err != nil {
			return created{}, err
		}
		t, err := b.store.CreateToken(ctx, l.ID, c.user, name, launch.HashToken(secret))
		return created{l, t}, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	c.log.Info("token-create", "launch", got.l.ID, "token", got.t.Name)
	return notice(fmt.Sprintf("🔑 API token `%s` created for the launch “%s” (launch id %d). Copy it now: golive keeps only a hash of it and cannot show it again.\n```%s```\n"+
		"A pipeline reports evidence with it: `golive report --url <golive's address> --launch %d --item 12 --pass --summary \"k6: p95 180 ms\"` with the token in the GOLIVE_TOKEN variable, or the HTTP API with `Authorization: Bearer <token>`. "+
		"`token revoke \"%s\"` ends it.",
		got.t.Name, inert(got.l.Name), got.l.ID, secret, got.l.ID, got.t.Name))
}

// tokenRevoke ends a token at once: the next call with it is refused.
func (b *Bot) tokenRevoke(ctx context.Context, c *call, name string) reply {
	id, err := changeWithin(b, ctx, func(ctx context.Context) (int64, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		if err != nil {
			return 0, noLaunchHere(err)
		}
		if err := b.firstCommand(ctx, c); err != nil {
			return 0, err
		}
		return l.ID, b.store.RevokeToken(ctx, l.ID, c.user, name)
	})
	if err != nil {
		return b.fail(c, err)
	}
	c.log.Info("token-revoke", "launch", id, "token", name)
	return notice(fmt.Sprintf("API token `%s` revoked: calls with it are refused from now on.", inert(name)))
}

// tokenList shows the launch's tokens, never their secrets.
func (b *Bot) tokenList(ctx context.Context, c *call) reply {
	type listed struct {
		l      *launch.Launch
		tokens []launch.Token
	}
	got, err := withinValue(b, ctx, func(ctx context.Context) (listed, error) {
		l, err := b.store.LaunchByChannel(ctx, c.team, c.channel)
		if err != nil {
			return listed{}, noLaunchHere(err)
		}
		tokens, err := b.store.Tokens(ctx, l.ID)
		return listed{l, tokens}, err
	})
	if err != nil {
		return b.fail(c, err)
	}
	if len(got.tokens) == 0 {
		return notice(fmt.Sprintf("The launch “%s” (launch id %d) has no API tokens. Its creator makes one with `token create \"ci\"`.", inert(got.l.Name), got.l.ID))
	}
	loc := got.l.Location()
	lines := []string{fmt.Sprintf("API tokens of the launch “%s” (launch id %d):", inert(got.l.Name), got.l.ID)}
	for _, t := range got.tokens {
		used := "never used"
		if !t.LastUsed.IsZero() {
			used = "last used " + t.LastUsed.In(loc).Format("2006-01-02 15:04")
		}
		lines = append(lines, fmt.Sprintf("• `%s`: created by <@%s> on %s, %s", t.Name, t.CreatedBy, t.CreatedAt.In(loc).Format("2006-01-02 15:04"), used))
	}
	return notice(strings.Join(lines, "\n"))
}

// actorRef names who made a change in a message: a mention for a person,
// the token's name for an API token.
func actorRef(actor string) string {
	if name, ok := strings.CutPrefix(actor, launch.TokenActor); ok {
		return "the API token `" + render.Escape(inert(name)) + "`"
	}
	return "<@" + actor + ">"
}

// capitalized starts a sentence with s: "the API token" becomes "The API
// token"; a mention is left as it is.
func capitalized(s string) string {
	if rest, ok := strings.CutPrefix(s, "the "); ok {
		return "The " + rest
	}
	return s
}
