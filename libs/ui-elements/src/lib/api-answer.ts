import { ApiProblemError, problemFromNetworkError, problemFromResponse } from './api-problem';

/** The shape of an openapi-fetch answer whose success body is the `{ success, data }` envelope. */
interface EnvelopedAnswer<T> {
  readonly data?: { readonly data: T };
  readonly error?: unknown;
  readonly response: Response;
}

/** A success envelope's `data` together with the response it came in (for headers). */
export interface Answered<T> {
  readonly value: T;
  readonly response: Response;
}

/**
 * Runs one typed-client call and answers the envelope's `data`, or throws an ApiProblemError:
 * the error envelope of a non-2xx answer, or a network problem when fetch itself rejected.
 */
export async function answerOf<T>(call: () => Promise<EnvelopedAnswer<T>>): Promise<Answered<T>> {
  let answer: EnvelopedAnswer<T>;
  try {
    answer = await call();
  } catch (error) {
    throw new ApiProblemError(problemFromNetworkError(error));
  }
  if (!answer.response.ok || answer.data === undefined) {
    throw new ApiProblemError(problemFromResponse(answer.response, answer.error));
  }
  return { value: answer.data.data, response: answer.response };
}
