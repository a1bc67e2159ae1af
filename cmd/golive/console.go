package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"

	"github.com/golive/golive/bot/console"
	"github.com/golive/golive/store"
)

var _ console.Store = (*store.Store)(nil)

// startConsole runs golive against the local console at addr: the console
// serves its pages and a Slack Web API on the mux, and the bot, wired as in
// HTTP mode, talks to that API with a token and a signing secret made for
// this process. The console's clock drives the bot, the store and the
// loops that post, so jumping it sends what falls due.
func startConsole(ctx context.Context, d slackDeps, addr net.Addr) (stop func(), err error) {
	base := consoleURL(addr)
	token, secret := "xoxb-console-"+rand.Text(), rand.Text()+rand.Text()
	c, err := console.New(ctx, console.Config{Store: d.store, Token: token, SigningSecret: secret, URL: base,
		Now: d.cfg.now(), Logger: d.log})
	if err != nil {
		return nil, fmt.Errorf("start the console: %w", err)
	}
	clock := c.Clock()
	d.store.Now = clock.Now
	d.now, d.after, d.console = clock.Now, clock.After, true
	d.cfg.Console = false
	d.cfg.BotToken, d.cfg.SigningSecret, d.cfg.AppToken = Secret(token), Secret(secret), ""
	// The console is one workspace, even where golive is distributed.
	d.cfg.ClientID, d.cfg.ClientSecret, d.cfg.EncryptionKey, d.cfg.Keys = "", "", "", nil
	d.cfg.SlackAPIURL = base + "/webapi/api/"
	// The Web API answers the bot's first calls (auth.test) as it starts;
	// the pages come once the bot is there to act on them.
	h := c.Handler()
	d.mux.Handle("/webapi/", h)
	stop, err = startSlack(ctx, d)
	if err != nil {
		return nil, err
	}
	// The bot's handler of Slack's requests is on the mux at /slack/.
	c.Connect(d.mux)
	d.mux.Handle("/", h)
	d.log.Info("the local console is ready: open " + consolePage(addr) +
		" (a try-out on this machine: golive talks to no Slack workspace; set SLACK_BOT_TOKEN to connect one)")
	return stop, nil
}

// consoleURL is the address the bot reaches the console at: the listener's,
// through loopback when it listens on every interface.
func consoleURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// consolePage is the address to open in a browser: localhost when the
// console listens on loopback or everywhere.
func consolePage(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); err == nil && ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		return "http://localhost:" + port + "/"
	}
	return consoleURL(addr) + "/"
}
