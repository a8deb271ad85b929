// File-system steps the journal and the ledger storage share.
export { removeGradually, type GradualRemoval } from './remove-gradually.js';
