import { useState } from 'react';
import type { HandoffClient } from '@handoff/sdk';
import type { ConversationSelectEvent, OpenConversationEvent } from '@handoff/components';

export function App({ client }: { client: HandoffClient }) {
  // The open conversation is React state: the elements report choices, React decides.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [lastEvent, setLastEvent] = useState('none yet');

  function onSelect(event: ConversationSelectEvent) {
    setSelectedId(event.detail.id);
    setLastEvent(`${event.type} ${event.detail.id}`);
  }
  function onOpen(event: OpenConversationEvent) {
    setSelectedId(event.detail.id);
    setLastEvent(`${event.type} ${event.detail.id}`);
  }

  return (
    <>
      <header style={{ display: 'flex', gap: 16, alignItems: 'baseline', padding: '8px 16px' }}>
        <strong>My React console</strong>
        <span>
          Last event: <output data-testid="last-event">{lastEvent}</output>
        </span>
      </header>
      <handoff-screen
        client={client}
        selectedId={selectedId}
        onhandoff-conversation-select={onSelect}
        onhandoff-panel-close={() => setSelectedId(null)}
      />
      <handoff-toaster client={client} onhandoff-open-conversation={onOpen} />
    </>
  );
}
