/** @asof/sdk (work in progress). */
export {};
