package serve

import (
	"context"
	"log/slog"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/newsdigest/newsdigest/slack"
)

// Socket Mode: serve opens the WebSocket to Slack itself (slack-go's
// socketmode client), so the slash command works behind a firewall with no
// inbound port. The client reconnects on its own when Slack asks (a
// "disconnect" envelope), when the connection drops, or when Slack's pings
// stop (30 s), retrying apps.connections.open with backoff; it gives up only
// on a token Slack refuses, and then this loop starts it again after
// socketRetry, doubling up to socketRetryMax, so a fixed token is picked up
// without a restart. Every envelope is acknowledged as soon as the command's
// immediate answer is ready (slashcmd checks only what fits in Slack's 3 s);
// the work of now and preview runs afterwards.

// Backoff after the client gave up (a refused token, or a 404).
var (
	socketRetry    = 5 * time.Second
	socketRetryMax = 5 * time.Minute
)

// startSocket starts Socket Mode when slack.app_token is set, until ctx
// ends; the channel it returns is closed once it has stopped (nil when off).
func (s *Server) startSocket(ctx context.Context) <-chan struct{} {
	if s.cmd == nil || s.cfg.Slack.AppToken == "" {
		return nil
	}
	opts := []slackapi.Option{slackapi.OptionAppLevelToken(s.cfg.Slack.AppToken)}
	if s.cfg.Slack.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(s.cfg.Slack.APIURL))
	}
	if s.p.SlackClient != nil {
		opts = append(opts, slackapi.OptionHTTPClient(s.p.SlackClient))
	}
	// The client logs only in debug mode, which stays off: its debug lines
	// would show payloads. Should it ever log, it goes to our log.
	client := socketmode.New(slackapi.New("", opts...),
		socketmode.OptionLog(slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)))

	done := make(chan struct{})
	events := make(chan struct{})
	go func() {
		defer close(events)
		s.socketEvents(ctx, client)
	}()
	go func() {
		defer close(done)
		defer func() { <-events }()
		wait := socketRetry
		for {
			err := client.RunContext(ctx)
			s.cm.socketUp.Set(0)
			if ctx.Err() != nil {
				return
			}
			s.logger.Error("Slack Socket Mode stopped; starting it again", "err", s.cfg.Redact(errString(err)), "in", wait,
				"hint", "check slack.app_token (an app-level token, xapp-…, with connections:write) and that Socket Mode is on in the app's settings")
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(2*wait, socketRetryMax)
		}
	}()
	return done
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// socketEvents reads the client's events until ctx ends (the client never
// closes its channel, and blocks while nobody reads it).
func (s *Server) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-client.Events:
		}
		switch evt.Type {
		case socketmode.EventTypeConnected:
			s.cm.socketUp.Set(1)
			s.cm.socketConns.Inc()
			s.logger.Info("Slack Socket Mode connected")
		case socketmode.EventTypeConnecting:
			s.cm.socketUp.Set(0)
			s.logger.Debug("Slack Socket Mode connecting")
		case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeErrorBadMessage:
			s.logger.Warn("Slack Socket Mode", "event", string(evt.Type), "err", s.cfg.Redact(eventError(evt)))
		case socketmode.EventTypeInvalidAuth:
			s.logger.Error("Slack Socket Mode: Slack refused slack.app_token")
		case socketmode.EventTypeSlashCommand:
			cmd, ok := evt.Data.(slackapi.SlashCommand)
			if !ok || evt.Request == nil {
				continue
			}
			// Each on its own goroutine: one command's checks never delay
			// another's acknowledgement.
			go s.socketCommand(ctx, client, *evt.Request, cmd)
		case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
			// Not subscribed to; acknowledged so that Slack does not resend.
			if evt.Request != nil {
				client.AckCtx(ctx, evt.Request.EnvelopeID, nil)
			}
		}
	}
}

// socketCommand answers one slash_commands envelope: the acknowledgement
// carries the immediate reply.
func (s *Server) socketCommand(ctx context.Context, client *socketmode.Client, req socketmode.Request, cmd slackapi.SlashCommand) {
	reply, later := s.cmd.Handle(ctx, slack.CommandFrom(cmd))
	if err := client.AckCtx(ctx, req.EnvelopeID, reply); err != nil {
		s.logger.Warn("Slack Socket Mode: acknowledgement not sent", "err", s.cfg.Redact(err.Error()))
	}
	s.startLater(later)
}

// eventError is the error an event carries, if any.
func eventError(evt socketmode.Event) string {
	switch d := evt.Data.(type) {
	case *slackapi.ConnectionErrorEvent:
		return errString(d.ErrorObj)
	case *slackapi.IncomingEventError:
		return errString(d.ErrorObj)
	case *socketmode.ErrorWriteFailed:
		return errString(d.Cause)
	case *socketmode.ErrorBadMessage:
		return errString(d.Cause)
	case error:
		return d.Error()
	}
	return string(evt.Type)
}

// awaitSocket waits for Socket Mode to stop, within ctx.
func awaitSocket(ctx context.Context, done <-chan struct{}) {
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}
