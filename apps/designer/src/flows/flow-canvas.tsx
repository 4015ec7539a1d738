import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { FlowDefinition, StateKind } from '@trellis/flow-engine';
import { useI18n } from '../i18n/i18n-context.js';
import { STATE_KIND_LABELS } from './flow-labels.js';
import { ANY_STATE, type FlowDraft } from './flow-model.js';

export type FlowSelection =
  { kind: 'state'; id: string } | { kind: 'transition'; index: number } | null;

type StateNodeData = {
  label: string;
  kind: StateKind | 'any';
  probability: number | null;
  initial: boolean;
  invalid: boolean;
};

function StateNode({ data, id, selected }: NodeProps<Node<StateNodeData>>) {
  const { t } = useI18n();
  return (
    <div
      className={[
        'flow-node',
        `flow-node--${data.kind}`,
        selected ? 'flow-node--selected' : '',
        data.invalid ? 'flow-node--invalid' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid={`flow-node-${id}`}
    >
      <Handle
        type="target"
        position={Position.Left}
        className="flow-node__handle"
        data-testid={`flow-in-${id}`}
      />
      <div className="flow-node__label">{data.label}</div>
      <div className="flow-node__meta">
        {data.kind === 'any' ? (
          <span>{t('flow.anyStageHint')}</span>
        ) : (
          <>
            <span className={`flow-kind flow-kind--${data.kind}`}>
              {t(STATE_KIND_LABELS[data.kind])}
            </span>
            {data.probability === null ? null : <span>{data.probability}%</span>}
            {data.initial ? (
              <span className="flow-node__initial">{t('flow.initialBadge')}</span>
            ) : null}
          </>
        )}
      </div>
      {data.kind === 'won' || data.kind === 'lost' || data.kind === 'final' ? null : (
        <Handle
          type="source"
          position={Position.Right}
          className="flow-node__handle flow-node__handle--source"
          data-testid={`flow-out-${id}`}
        />
      )}
    </div>
  );
}

const NODE_TYPES = { state: StateNode };

/**
 * Stages as nodes and transitions as edges (React Flow): drag a stage to place it, drag from a
 * stage's right handle to another stage to connect them. The outline beside it does the same
 * with the keyboard.
 */
export function FlowCanvas({
  draft,
  selection,
  invalidStates,
  invalidTransitions,
  onSelect,
  onMove,
  onConnect,
}: {
  draft: FlowDraft;
  selection: FlowSelection;
  invalidStates: ReadonlySet<string>;
  invalidTransitions: ReadonlySet<number>;
  onSelect(selection: FlowSelection): void;
  onMove(id: string, position: { x: number; y: number }): void;
  onConnect(from: string, to: string): void;
}) {
  const i18n = useI18n();
  const { t, text } = i18n;
  const def: FlowDefinition = draft.definition;
  const hasAny = def.transitions.some((tr) => tr.from === '*');

  const nodes = useMemo<Node<StateNodeData>[]>(() => {
    const list: Node<StateNodeData>[] = def.states.map((state) => ({
      id: state.id,
      type: 'state',
      position: draft.positions[state.id] ?? { x: 40, y: 40 },
      selected: selection?.kind === 'state' && selection.id === state.id,
      ariaLabel: `${text(state.label) || state.id} · ${t(STATE_KIND_LABELS[state.kind])}`,
      data: {
        label: text(state.label) || state.id,
        kind: state.kind,
        probability: state.probability,
        initial: def.initial === state.id,
        invalid: invalidStates.has(state.id),
      },
    }));
    if (hasAny) {
      list.push({
        id: ANY_STATE,
        type: 'state',
        position: draft.positions[ANY_STATE] ?? { x: 40, y: 380 },
        ariaLabel: t('flow.anyStage'),
        data: {
          label: t('flow.anyStage'),
          kind: 'any',
          probability: null,
          initial: false,
          invalid: false,
        },
      });
    }
    return list;
  }, [def, draft.positions, selection, invalidStates, hasAny, t, text]);

  const edges = useMemo<Edge[]>(
    () =>
      def.transitions.flatMap((transition, index) => {
        const sources = transition.from === '*' ? [ANY_STATE] : transition.from;
        const label = text(transition.label) || transition.event;
        const selected = selection?.kind === 'transition' && selection.index === index;
        return sources.map((source) => ({
          id: `t${index}:${source}`,
          source,
          target: transition.to,
          label: transition.approval !== null ? `${label} · ${t('flow.approvalShort')}` : label,
          selected,
          ariaLabel: t('flow.edgeLabel', { label, from: source, to: transition.to }),
          markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
          className: [
            invalidTransitions.has(index) ? 'flow-edge--invalid' : '',
            transition.guard !== null ? 'flow-edge--guarded' : '',
          ]
            .filter(Boolean)
            .join(' '),
          data: { index },
        }));
      }),
    [def, selection, invalidTransitions, t, text],
  );

  function changed(changes: NodeChange<Node<StateNodeData>>[]) {
    for (const change of changes) {
      if (change.type === 'position' && change.position !== undefined)
        onMove(change.id, change.position);
    }
  }

  function connect(connection: Connection) {
    if (connection.source === connection.target) return;
    onConnect(connection.source, connection.target);
  }

  return (
    <div className="flow-canvas" data-testid="flow-canvas">
      <ReactFlow<Node<StateNodeData>, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={changed}
        onConnect={connect}
        onNodeClick={(_, node) =>
          onSelect(node.id === ANY_STATE ? null : { kind: 'state', id: node.id })
        }
        onEdgeClick={(_, edge) => {
          const index = Number(edge.id.slice(1, edge.id.indexOf(':')));
          onSelect({ kind: 'transition', index });
        }}
        onPaneClick={() => onSelect(null)}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.3}
        maxZoom={1.6}
        deleteKeyCode={null}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={{
          'node.a11yDescription.default': t('flow.a11y.node'),
          'node.a11yDescription.keyboardDisabled': t('flow.a11y.node'),
          'node.a11yDescription.ariaLiveMessage': ({ x, y }) =>
            t('flow.a11y.moved', { x: Math.round(x), y: Math.round(y) }),
          'edge.a11yDescription.default': t('flow.a11y.edge'),
          'controls.ariaLabel': t('flow.a11y.controls'),
          'controls.zoomIn.ariaLabel': t('flow.a11y.zoomIn'),
          'controls.zoomOut.ariaLabel': t('flow.a11y.zoomOut'),
          'controls.fitView.ariaLabel': t('flow.a11y.fitView'),
          'controls.interactive.ariaLabel': t('flow.a11y.interactive'),
          'handle.ariaLabel': t('flow.a11y.handle'),
        }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
