/** Side-effect entry point: registers every element's tag. */
import { defineAll } from './define-all.js';

defineAll();
