export { Empty } from './Empty';
export { ErrorMessage } from './ErrorMessage';
export { IssueLink, issuePath } from './IssueLink';
export { Loading } from './Loading';
export { StateLozenge, stateLook, type StateOf } from './StateLozenge';
export { ToolName } from './ToolName';
export { UserName } from './UserName';
