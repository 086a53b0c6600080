package pipeline

// NextPoll exposes nextPoll to the tests.
var NextPoll = nextPoll
