import { useState } from 'react';
import type { HandoffClient } from '@handoff/sdk';
import type { ConversationSelectEvent, OpenConversationEvent } from '@handoff/components';
import { HandoffToaster } from '@handoff/react';

export function App({ client }: { client: HandoffClient }) {
  // The open conversation is React state: the elements report choices, React decides.
  const [selected, setSelected] = useState('');
  const [lastEvent, setLastEvent] = useState('none yet');

  function onSelect(event: ConversationSelectEvent) {
    setSelected(event.detail.id);
    setLastEvent(`${event.type} ${event.detail.id}`);
  }
  function onOpen(event: OpenConversationEvent) {
    setSelected(event.detail.id);
    setLastEvent(`${event.type} ${event.detail.id}`);
  }

  return (
    <>
      <header style={{ display: 'flex', gap: 16, alignItems: 'baseline', padding: '8px 16px' }}>
        <strong>My React console</strong>
        <span>
          Last event: <output id="last-event">{lastEvent}</output>
        </span>
      </header>
      <handoff-screen
        client={client}
        selected={selected}
        onhandoff-conversation-select={onSelect}
        onhandoff-panel-close={() => setSelected('')}
      />
      {/* The same elements two ways: the tag with the shipped JSX types (above), or the
          @handoff/react component with camel-case event props. */}
      <HandoffToaster client={client} onOpenConversation={onOpen} />
    </>
  );
}
