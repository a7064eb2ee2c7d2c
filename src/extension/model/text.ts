// Offsets in a text <-> zero-based line/character positions: the one LineIndex (src/config/lineIndex.ts).
export { LineIndex, type Pos, type Span } from '../../config/lineIndex';
