package inmem_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
)

func TestBusDeliversInOrderToEverySubscriber(t *testing.T) {
	b := inmem.New()
	var got1, got2 []int64
	unsub1 := b.Subscribe(func(ev service.Event) { got1 = append(got1, ev.Seq) })
	b.Subscribe(func(ev service.Event) { got2 = append(got2, ev.Seq) })

	for seq := int64(1); seq <= 3; seq++ {
		if err := b.Publish(context.Background(), service.Event{Seq: seq}); err != nil {
			t.Fatalf("Publish(%d) = %v, want nil", seq, err)
		}
	}
	unsub1()
	unsub1() // harmless
	if err := b.Publish(context.Background(), service.Event{Seq: 4}); err != nil {
		t.Fatalf("Publish(4) = %v, want nil", err)
	}

	if want := []int64{1, 2, 3}; !slices.Equal(got1, want) {
		t.Errorf("first subscriber got %v, want %v", got1, want)
	}
	if want := []int64{1, 2, 3, 4}; !slices.Equal(got2, want) {
		t.Errorf("second subscriber got %v, want %v", got2, want)
	}
}

func TestBusPublishAfterCancel(t *testing.T) {
	var b inmem.Bus // zero value is usable
	called := false
	b.Subscribe(func(service.Event) { called = true })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Publish(ctx, service.Event{Seq: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with canceled ctx = %v, want context.Canceled", err)
	}
	if called {
		t.Errorf("subscriber called after canceled Publish, want not called")
	}
}
