package fakeslack

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// TestSocketModeWithSlackGo drives the fake with slack-go's own Socket Mode
// client: connect, a command and its ack, a disconnect message and a dropped
// connection (each followed by a new connection), and a response_url.
func TestSocketModeWithSlackGo(t *testing.T) {
	s := New(t, "xoxb-bot")
	s.SetAppToken("xapp-app")
	api := slackapi.New("", slackapi.OptionAppLevelToken("xapp-app"), slackapi.OptionAPIURL(s.APIURL()))
	client := socketmode.New(api, socketmode.OptionLog(log.New(io.Discard, "", 0)))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- client.RunContext(ctx) }()
	go func() {
		for evt := range client.Events {
			if evt.Type == socketmode.EventTypeSlashCommand {
				cmd := evt.Data.(slackapi.SlashCommand)
				client.Ack(*evt.Request, map[string]string{"text": "got " + cmd.Text + " in " + cmd.ChannelID})
			}
		}
	}()

	ack, err := s.SlashCommand(ctx, SlashCommand{ChannelID: "C1", UserID: "U1", Text: "help"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Reply() != "got help in C1" || !strings.HasPrefix(ack.ResponseURL, s.srv.URL+"/commands/") {
		t.Errorf("ack = %+v", ack)
	}
	for i, cut := range []func(){func() { s.Disconnect("refresh_requested") }, s.DropConnections} {
		cut()
		if err := s.WaitConnects(ctx, i+2); err != nil {
			t.Fatal(err)
		}
		if ack, err := s.SlashCommand(ctx, SlashCommand{ChannelID: "C1", UserID: "U1", Text: "again"}); err != nil || ack.Reply() != "got again in C1" {
			t.Fatalf("after reconnect %d: ack %+v, %v", i+1, ack, err)
		}
	}

	// The response_url takes 5 answers, each checked like a message.
	ru := ack.ResponseURL
	for i := range MaxResponses + 1 {
		resp, err := http.Post(ru, "application/json", strings.NewReader(`{"text":"answer"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := i < MaxResponses; (resp.StatusCode == 200) != want {
			t.Errorf("answer %d: HTTP %d", i+1, resp.StatusCode)
		}
	}
	if got := s.Responses(ru); len(got) != MaxResponses || got[0].ResponseType != "ephemeral" || got[0].Channel != "C1" {
		t.Errorf("responses = %+v", got)
	}
	if len(s.Messages()) != 0 {
		t.Errorf("ephemeral answers reached the channel: %+v", s.Messages())
	}
	cancel()
	if err := <-runDone; !errors.Is(err, context.Canceled) {
		t.Errorf("RunContext = %v; want context.Canceled", err)
	}
}

// TestSocketModeRefusesWrongTokens: only the app token opens a connection.
func TestSocketModeRefusesWrongTokens(t *testing.T) {
	s := New(t, "xoxb-bot")
	s.SetAppToken("xapp-app")
	for tok, want := range map[string]string{"xoxb-bot": "not_allowed_token_type", "xapp-other": "invalid_auth", "": "not_authed"} {
		api := slackapi.New("", slackapi.OptionAppLevelToken(tok), slackapi.OptionAPIURL(s.APIURL()))
		_, _, err := api.StartSocketModeContext(context.Background())
		if err == nil || err.Error() != want {
			t.Errorf("token %q: err = %v; want %s", tok, err, want)
		}
	}
	if ack, err := s.SlashCommand(ctxTimeout(t, 50*time.Millisecond), SlashCommand{Text: "x"}); err == nil {
		t.Errorf("SlashCommand with no connection = %+v", ack)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
