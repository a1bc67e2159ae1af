package launch

// Notice is a message owed to a launch's channel by a process that cannot
// post to Slack (`golive import` from the shell); the bot posts it once.
type Notice struct {
	LaunchID int64
	Text     string
}
