/** A tool by its name; the id only when no name is known (a tool since removed). */
export function ToolName({ name, id }: { name?: string | null; id: string }) {
  return <span data-tool-id={id}>{name && name.trim() !== '' ? name : `Tool ${id}`}</span>;
}
