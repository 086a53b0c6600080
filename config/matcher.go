package config

import (
	"fmt"
	"os"

	"github.com/newsdigest/newsdigest/classify"
	"github.com/newsdigest/newsdigest/learn"
)

// Matcher compiles the config's topics and, when learned.model names a
// model file, reads it and combines it with the terms. A model file that
// cannot be read, or that knows none of the topics, is an *Error naming
// learned.model's line.
func (c *Config) Matcher() (*classify.Matcher, error) {
	// The model is read while the terms compile: on two cores the start-up
	// of every command pays the longer of the two, not the sum.
	type read struct {
		m   *learn.Model
		err error
	}
	var model chan read
	if c.Learned.Model != "" {
		model = make(chan read, 1)
		go func() {
			m, err := ReadModel(c.Learned.Model)
			model <- read{m, err}
		}()
	}
	m, err := classify.Compile(c.Topics)
	if model == nil {
		return m, err
	}
	r := <-model
	if err != nil {
		return nil, err
	}
	err = r.err
	if err == nil {
		err = m.SetLearned(classify.Learned{Model: r.m, Accept: c.Learned.Accept, Veto: c.Learned.Veto})
	}
	if err != nil {
		return nil, c.newError([]Problem{{Line: c.keyLine("learned", "model"), Path: "learned.model", Message: err.Error()}})
	}
	return m, nil
}

// ReadModel reads a model file made by `newsdigest learn`.
func ReadModel(path string) (*learn.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := learn.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
